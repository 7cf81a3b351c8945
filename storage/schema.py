"""Schema migrations, applied in order and recorded in ``PRAGMA user_version``.

Each step is a list of SQL statements run in one transaction. Numbers may have
gaps (features own ranges: 1-9 core, 10-19 digests, 20-29 outreach) and must
never be edited once released: add a new step instead.
"""

from __future__ import annotations

MIGRATIONS: dict[int, list[str]] = {
    1: [
        # A person who talked to the bot. The Telegram id stays in this table
        # only; everything exported is keyed by ``pseudonym``.
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            telegram_id INTEGER NOT NULL UNIQUE,
            chat_id INTEGER NOT NULL,
            pseudonym TEXT NOT NULL UNIQUE,
            language TEXT,
            -- An invitation code from /start, held until the response begins.
            invitation_code TEXT,
            created_at TEXT NOT NULL,
            blocked_at TEXT,
            opted_out_at TEXT
        )""",
        """CREATE TABLE invitations (
            code TEXT PRIMARY KEY,
            label TEXT NOT NULL DEFAULT '',
            prefill TEXT NOT NULL DEFAULT '{}',
            language TEXT,
            max_uses INTEGER,
            uses INTEGER NOT NULL DEFAULT 0,
            expires_at TEXT,
            revoked_at TEXT,
            created_by INTEGER,
            created_at TEXT NOT NULL
        )""",
        # The consent decision, kept even when the answer was "no".
        """CREATE TABLE consents (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            agreed INTEGER NOT NULL,
            consent_version TEXT NOT NULL,
            decided_at TEXT NOT NULL
        )""",
        """CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            survey_id TEXT NOT NULL,
            survey_version TEXT NOT NULL,
            survey_hash TEXT NOT NULL,
            invitation_code TEXT REFERENCES invitations(code) ON DELETE SET NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            -- The one message edited in place, and the step it shows now:
            -- UI bookkeeping only; the position comes from the answers.
            live_message_id INTEGER,
            shown_step TEXT,
            UNIQUE (user_id, survey_id)
        )""",
        """CREATE TABLE profile_answers (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            choice TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (response_id, question_id)
        ) WITHOUT ROWID""",
        # value NULL with skipped 0 is "don't know"; skipped 1 is a skip.
        """CREATE TABLE ratings (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            item_code TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('now', 'forecast')),
            sdg INTEGER NOT NULL,
            value INTEGER CHECK (value BETWEEN 1 AND 5),
            skipped INTEGER NOT NULL DEFAULT 0,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (response_id, item_code, kind),
            CHECK (NOT (skipped AND value IS NOT NULL))
        ) WITHOUT ROWID""",
        # text NULL means the respondent skipped the question.
        """CREATE TABLE texts (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            text TEXT,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (response_id, question_id)
        ) WITHOUT ROWID""",
        # Multi-choice closing questions: ``done`` 0 while the respondent is
        # still ticking boxes, so even a half-made choice survives a restart.
        """CREATE TABLE choices (
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            selected TEXT NOT NULL DEFAULT '',
            done INTEGER NOT NULL DEFAULT 0,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (response_id, question_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX ratings_by_item ON ratings (item_code, kind)",
        "CREATE INDEX responses_by_survey ON responses (survey_id, submitted_at)",
    ],
    2: [
        # Every admin action: who (Telegram id of an admin, never a respondent),
        # what, when, and how it ended.
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            actor_id INTEGER NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX audit_by_time ON audit_log (at)",
    ],
    20: [
        # One broadcast: a message to an audience, delivered by a resumable job.
        # status: draft (previewed), running, done, cancelled.
        """CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            created_by INTEGER NOT NULL,
            audience TEXT NOT NULL,
            text TEXT NOT NULL,
            invitation_code TEXT,
            status TEXT NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'running', 'done', 'cancelled')),
            report_chat_id INTEGER,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        )""",
        # One row per recipient. 'sending' is committed before the API call and
        # 'sent' after it, so a crash in between is visible: such rows become
        # 'uncertain' on restart and are never sent again (at most once).
        # user_id cascades, so /delete also removes a person from broadcasts.
        """CREATE TABLE broadcast_recipients (
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'sending', 'sent', 'blocked', 'failed', 'skipped', 'uncertain')),
            reason TEXT,
            updated_at TEXT,
            PRIMARY KEY (broadcast_id, chat_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX recipients_by_status ON broadcast_recipients (broadcast_id, status, chat_id)",
        # Reminders sent for a paused response: counted before each send.
        """CREATE TABLE reminders (
            response_id INTEGER PRIMARY KEY REFERENCES responses(id) ON DELETE CASCADE,
            sent_count INTEGER NOT NULL DEFAULT 0,
            last_sent_at TEXT NOT NULL
        )""",
    ],
}
