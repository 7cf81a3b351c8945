"""Schema migrations, applied in order and recorded in ``PRAGMA user_version``.

Each step is a list of SQL statements run in one transaction. Steps are
numbered 1, 2, 3, ... without gaps: a database at version N gets every step
above N, so a new step always takes the next number. A released step is never
edited: add a new one instead.
"""

from __future__ import annotations


def _shift_totals(sign: str, row: str, source: str) -> str:
    """Add (sign '') or take away (sign '-') ratings ``row`` from ``source`` in
    rating_totals, under the cell their response is in at that moment."""
    return f"""INSERT INTO rating_totals (survey_id, grp, region, area, item_code, kind, sdg,
                rated, total, dont_know)
            SELECT c.survey_id, c.grp, c.region, c.area, {row}.item_code, {row}.kind, {row}.sdg,
                {sign}({row}.value IS NOT NULL), {sign}COALESCE({row}.value, 0),
                {sign}({row}.value IS NULL AND NOT {row}.skipped)
            {source}
            ON CONFLICT DO UPDATE SET rated = rated + excluded.rated,
                total = total + excluded.total, dont_know = dont_know + excluded.dont_know;"""


def _one_rating(row: str) -> str:
    return f"FROM response_cells c WHERE c.response_id = {row}.response_id"


def _all_ratings_of(response_id: str) -> str:
    return (
        "FROM ratings t JOIN response_cells c ON c.response_id = t.response_id"
        f" WHERE t.response_id = {response_id}"
    )


# The cell (group, region, area) each response is in: created by migration 4 and
# again by 13, which rebuilds ``responses``; one text, so the two cannot drift.
RESPONSE_CELLS_VIEW = """CREATE VIEW response_cells AS SELECT r.id AS response_id, r.survey_id,
            COALESCE((SELECT choice FROM profile_answers p WHERE p.response_id = r.id
                AND p.question_id = 'group'), '') AS grp,
            COALESCE((SELECT choice FROM profile_answers p WHERE p.response_id = r.id
                AND p.question_id = 'region'), '') AS region,
            COALESCE((SELECT choice FROM profile_answers p WHERE p.response_id = r.id
                AND p.question_id = 'area'), '') AS area
            FROM responses r"""


# Migration 14's running totals per round, mode, invitation and cell: the
# protected publication reads a few rows per cell instead of every rating.
ROUND_KEY = "survey_id, round_id, mode, invitation_code, grp, region, area, item_code, kind"


def _shift_round_totals(sign: str, row: str, source: str) -> str:
    """As ``_shift_totals``, into round_totals, under the response's round, mode,
    invitation and cell at that moment."""
    return f"""INSERT INTO round_totals ({ROUND_KEY}, sdg, rated, total, dont_know)
            SELECT r.survey_id, r.round_id, r.mode, COALESCE(r.invitation_code, ''),
                c.grp, c.region, c.area, {row}.item_code, {row}.kind, {row}.sdg,
                {sign}({row}.value IS NOT NULL), {sign}COALESCE({row}.value, 0),
                {sign}({row}.value IS NULL AND NOT {row}.skipped)
            {source}
            ON CONFLICT DO UPDATE SET rated = rated + excluded.rated,
                total = total + excluded.total, dont_know = dont_know + excluded.dont_know;"""


def _one_rating_in_round(row: str) -> str:
    return (
        "FROM response_cells c JOIN responses r ON r.id = c.response_id"
        f" WHERE c.response_id = {row}.response_id"
    )


def _all_ratings_in_round(response_id: str) -> str:
    return (
        "FROM ratings t JOIN response_cells c ON c.response_id = t.response_id"
        f" JOIN responses r ON r.id = t.response_id WHERE t.response_id = {response_id}"
    )


def _only_new(when: str, event: str) -> str:
    if (when, event) != ("BEFORE", "INSERT"):
        return ""
    return (
        " AND NOT EXISTS (SELECT 1 FROM profile_answers a"
        " WHERE a.response_id = NEW.response_id AND a.question_id = NEW.question_id)"
    )


def _round_totals_migration() -> list[str]:
    """Issue 16: the table, its triggers and the ratings stored before it; and
    rating_totals' profile trigger given the same guard, its totals rebuilt
    (a changed profile answer took its ratings out twice)."""
    rebuild = next(
        sql for sql in MIGRATIONS[4] if sql.lstrip().startswith("INSERT INTO rating_totals")
    )
    return [
        "DROP TRIGGER rating_totals_before_insert_profile",
        f"""CREATE TRIGGER rating_totals_before_insert_profile
            BEFORE INSERT ON profile_answers
            WHEN NEW.question_id IN ('group', 'region', 'area'){_only_new("BEFORE", "INSERT")}
            BEGIN
                {_shift_totals("-", "t", _all_ratings_of("NEW.response_id"))}
            END""",
        "DELETE FROM rating_totals",
        rebuild,
        f"""CREATE TABLE round_totals (
            survey_id TEXT NOT NULL,
            round_id TEXT NOT NULL,
            mode TEXT NOT NULL,
            invitation_code TEXT NOT NULL,
            grp TEXT NOT NULL,
            region TEXT NOT NULL,
            area TEXT NOT NULL,
            item_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            sdg INTEGER NOT NULL,
            rated INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            dont_know INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY ({ROUND_KEY})
        ) WITHOUT ROWID""",
        f"""CREATE TRIGGER round_totals_add AFTER INSERT ON ratings BEGIN
            {_shift_round_totals("", "NEW", _one_rating_in_round("NEW"))}
        END""",
        f"""CREATE TRIGGER round_totals_remove AFTER DELETE ON ratings BEGIN
            {_shift_round_totals("-", "OLD", _one_rating_in_round("OLD"))}
        END""",
        f"""CREATE TRIGGER round_totals_change AFTER UPDATE ON ratings BEGIN
            {_shift_round_totals("-", "OLD", _one_rating_in_round("OLD"))}
            {_shift_round_totals("", "NEW", _one_rating_in_round("NEW"))}
        END""",
        # An upsert that updates fires BEFORE INSERT too (then BEFORE and AFTER
        # UPDATE): the insert's "take out" runs only when there is no answer yet.
        *[
            f"""CREATE TRIGGER round_totals_{when.lower()}_{event.lower()}_profile
            {when} {event} ON profile_answers
            WHEN {row}.question_id IN ('group', 'region', 'area'){_only_new(when, event)} BEGIN
                {_shift_round_totals(sign, "t", _all_ratings_in_round(f"{row}.response_id"))}
            END"""
            for when, sign in (("BEFORE", "-"), ("AFTER", ""))
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
        ],
        # A response moving round (the first round takes earlier answers), losing its
        # invitation (deleted: SET NULL) or changing mode moves all its ratings.
        *[
            f"""CREATE TRIGGER round_totals_{when.lower()}_response_moves
            {when} UPDATE OF round_id, invitation_code, mode ON responses BEGIN
                {_shift_round_totals(sign, "t", _all_ratings_in_round("NEW.id"))}
            END"""
            for when, sign in (("BEFORE", "-"), ("AFTER", ""))
        ],
        f"""CREATE TRIGGER round_totals_response_gone BEFORE DELETE ON responses BEGIN
            {_shift_round_totals("-", "t", _all_ratings_in_round("OLD.id"))}
        END""",
        f"""INSERT INTO round_totals ({ROUND_KEY}, sdg, rated, total, dont_know)
            WITH c AS MATERIALIZED (SELECT * FROM response_cells)
            SELECT r.survey_id, r.round_id, r.mode, COALESCE(r.invitation_code, ''),
                c.grp, c.region, c.area, t.item_code, t.kind, MIN(t.sdg),
                COUNT(t.value), COALESCE(SUM(t.value), 0),
                SUM(t.value IS NULL AND NOT t.skipped)
            FROM c JOIN ratings t ON t.response_id = c.response_id
            JOIN responses r ON r.id = c.response_id
            WHERE true
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
    ]


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
    3: [
        # Any answer moves the live message back to the first unanswered
        # question (shown_step NULL) and marks the response as active, in the
        # same statement as the answer, so one autocommit write is enough.
        *[
            f"""CREATE TRIGGER {table}_{event.lower()}_touches_response AFTER {event} ON {table}
            BEGIN
                UPDATE responses SET updated_at = NEW.answered_at, shown_step = NULL
                WHERE id = NEW.response_id;
            END"""
            for table in ("profile_answers", "ratings", "texts", "choices")
            for event in ("INSERT", "UPDATE")
        ],
    ],
    4: [
        # Running totals of the ratings per indicator, kind and respondent cell
        # (group, region, area; '' when unanswered), kept exact by triggers in
        # the same transaction as every answer, so a digest reads a few
        # thousand rows instead of every rating (13.8 million at 100,000
        # respondents). Invariant: each row sums the ratings stored now, under
        # the cell their response is in now.
        """CREATE TABLE rating_totals (
            survey_id TEXT NOT NULL,
            grp TEXT NOT NULL,
            region TEXT NOT NULL,
            area TEXT NOT NULL,
            item_code TEXT NOT NULL,
            kind TEXT NOT NULL,
            sdg INTEGER NOT NULL,
            rated INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            dont_know INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (survey_id, grp, region, area, item_code, kind)
        ) WITHOUT ROWID""",
        RESPONSE_CELLS_VIEW,
        f"""CREATE TRIGGER rating_totals_add AFTER INSERT ON ratings BEGIN
            {_shift_totals("", "NEW", _one_rating("NEW"))}
        END""",
        f"""CREATE TRIGGER rating_totals_remove AFTER DELETE ON ratings BEGIN
            {_shift_totals("-", "OLD", _one_rating("OLD"))}
        END""",
        f"""CREATE TRIGGER rating_totals_change AFTER UPDATE ON ratings BEGIN
            {_shift_totals("-", "OLD", _one_rating("OLD"))}
            {_shift_totals("", "NEW", _one_rating("NEW"))}
        END""",
        # A response changing cell moves all its ratings: out of the old cell
        # before the profile answer changes, into the new one after.
        *[
            f"""CREATE TRIGGER rating_totals_{when.lower()}_{event.lower()}_profile
            {when} {event} ON profile_answers
            WHEN {row}.question_id IN ('group', 'region', 'area') BEGIN
                {_shift_totals(sign, "t", _all_ratings_of(f"{row}.response_id"))}
            END"""
            for when, sign in (("BEFORE", "-"), ("AFTER", ""))
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
        ],
        # A deleted response leaves the totals while its cell can still be
        # read; the cascading deletes after it then find no cell and add nothing.
        f"""CREATE TRIGGER rating_totals_response_gone BEFORE DELETE ON responses BEGIN
            {_shift_totals("-", "t", _all_ratings_of("OLD.id"))}
        END""",
        # Ratings stored before this step.
        """INSERT INTO rating_totals (survey_id, grp, region, area, item_code, kind, sdg,
                rated, total, dont_know)
            WITH c AS MATERIALIZED (SELECT * FROM response_cells)
            SELECT c.survey_id, c.grp, c.region, c.area, t.item_code, t.kind, MIN(t.sdg),
                COUNT(t.value), COALESCE(SUM(t.value), 0),
                SUM(t.value IS NULL AND NOT t.skipped)
            FROM c JOIN ratings t ON t.response_id = c.response_id
            WHERE true
            GROUP BY 1, 2, 3, 4, 5, 6""",
        "CREATE INDEX texts_by_time ON texts (answered_at)",
    ],
    5: [
        # Coordinators: from [[coordinators]] in the config (source 'config')
        # or added by an admin in the chat (source 'chat'). scope is JSON,
        # e.g. {"region": "north"}; {} is everything.
        """CREATE TABLE coordinators (
            telegram_id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL DEFAULT '{}',
            schedule TEXT NOT NULL,
            language TEXT NOT NULL DEFAULT 'vi',
            source TEXT NOT NULL CHECK (source IN ('config', 'chat')),
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        # One scheduled digest: the window it covers, how far its sending got
        # (parts: 0 nothing, 1 text, 2 charts, 3 workbook = sent) and how it
        # ended. UNIQUE keeps any window from being sent twice.
        """CREATE TABLE digest_deliveries (
            id INTEGER PRIMARY KEY,
            telegram_id INTEGER NOT NULL,
            window_start TEXT NOT NULL,
            window_end TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'sending'
                CHECK (status IN ('sending', 'sent', 'retrying', 'failed', 'blocked')),
            parts INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (telegram_id, window_end)
        )""",
    ],
    6: [
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
    7: [
        # The Telegram message a free-text answer came from: the same message
        # delivered again (after a restart, say) is recognised, not re-answered.
        "ALTER TABLE texts ADD COLUMN message_id INTEGER",
    ],
    8: [
        # Survey 2026.2 asks both ratings of an indicator on one screen, so
        # the per-kind step keys (r12n, r12f) a live message may still show
        # are gone: the position is derived again from the answers.
        "UPDATE responses SET shown_step = NULL WHERE shown_step GLOB 'r*[nf]'",
        # The newest Telegram message that answered anything by typing (a
        # comment or a digit rating): a message delivered again is recognised
        # and not applied twice (Telegram's message ids grow within a chat).
        "ALTER TABLE responses ADD COLUMN last_message_id INTEGER",
    ],
    9: [
        # How a response was collected: by the respondent in the chat ('self'),
        # by a facilitator on their behalf ('interview'), or from a paper form
        # ('paper'). Respondents without a Telegram account of their own
        # (interviews, paper forms, purged people) have a negative telegram_id
        # and chat_id 0: Telegram never uses such ids, and nobody is messaged.
        "ALTER TABLE responses ADD COLUMN mode TEXT NOT NULL DEFAULT 'self'"
        " CHECK (mode IN ('self', 'interview', 'paper'))",
    ],
    10: [
        # A parent's or guardian's decision for a respondent under 16 (a child):
        # the relation (never a name), how it was given (their own Telegram via
        # a one-time link, or on paper, attested by the admin in attested_by),
        # the consent text's version and when. The guardian's Telegram id is
        # never stored: a hash of it could be reversed by trying every id.
        """CREATE TABLE guardian_consents (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            agreed INTEGER NOT NULL,
            relation TEXT CHECK (relation IN ('parent', 'guardian')),
            method TEXT NOT NULL CHECK (method IN ('telegram', 'paper')),
            text_version TEXT NOT NULL,
            attested_by INTEGER,
            decided_at TEXT NOT NULL
        )""",
        # One-time links a child forwards to a guardian: only the SHA-256 of
        # the token is kept, so a copy of the database cannot be used to answer.
        """CREATE TABLE guardian_links (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        )""",
        "CREATE INDEX guardian_links_by_user ON guardian_links (user_id)",
    ],
    11: [
        # Facilitators (issue 11): people who run interviews and group
        # sessions. From [[facilitators]] in the config (source 'config') or
        # added by an admin in the chat ('chat'), like coordinators.
        """CREATE TABLE facilitators (
            telegram_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL CHECK (source IN ('config', 'chat')),
            created_at TEXT NOT NULL
        )""",
        # One facilitated interview: an offline respondent (users.id, its own
        # pseudonym) whose survey a facilitator fills in on their behalf.
        # number counts a facilitator's interviews (1, 2, ...) for /interview
        # resume <n>; consent_message_id is the message whose button attested
        # the consent, so a double tap starts one interview, not two.
        # consent: 'verbal' (the person) or 'guardian' (a child and a guardian).
        # The facilitator is kept here only, never in responses or exports.
        """CREATE TABLE interviews (
            id INTEGER PRIMARY KEY,
            facilitator_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
            consent TEXT NOT NULL CHECK (consent IN ('verbal', 'guardian')),
            consent_message_id INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
            created_at TEXT NOT NULL,
            closed_at TEXT,
            UNIQUE (facilitator_id, number),
            UNIQUE (facilitator_id, consent_message_id)
        )""",
        # A focus group's scorecard, its own kind of record (never a response).
        # The group's profile is stored as choice ids like a response's.
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            pseudonym TEXT NOT NULL UNIQUE,
            facilitator_id INTEGER NOT NULL,
            survey_id TEXT NOT NULL,
            survey_version TEXT NOT NULL,
            survey_hash TEXT NOT NULL,
            language TEXT NOT NULL,
            grp TEXT,
            region TEXT,
            area TEXT,
            people INTEGER,
            women INTEGER,
            men INTEGER,
            priorities TEXT,
            recommendations TEXT,
            shown_step TEXT,
            live_message_id INTEGER,
            last_message_id INTEGER,
            started_at TEXT NOT NULL,
            submitted_at TEXT
        )""",
        # One score of an indicator (kind now/forecast) by a session: a
        # consensus (value 1-5, NULL for "don't know") or vote counts per
        # score; method 'skip' when the group did not score it.
        """CREATE TABLE session_scores (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            item_code TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('now', 'forecast')),
            sdg INTEGER NOT NULL,
            method TEXT NOT NULL CHECK (method IN ('consensus', 'votes', 'skip')),
            value INTEGER CHECK (value BETWEEN 1 AND 5),
            votes TEXT,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (session_id, item_code, kind)
        ) WITHOUT ROWID""",
        # The reasons the group gave for an indicator's scores, in a few words.
        """CREATE TABLE session_notes (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            item_code TEXT NOT NULL,
            text TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (session_id, item_code)
        ) WITHOUT ROWID""",
        # What a facilitator's chat is working on now: an interview or a
        # session. Survey buttons and typed answers go to it; none = their own.
        """CREATE TABLE facilitator_focus (
            facilitator_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('interview', 'session')),
            target_id INTEGER NOT NULL
        )""",
    ],
    12: [
        # Paper forms imported (``scorecard-bot paper import``): a form id is
        # remembered for good, even after its respondent is deleted (the
        # response link becomes NULL), so a file imported twice never creates
        # the same respondent twice.
        """CREATE TABLE paper_forms (
            form_id TEXT PRIMARY KEY,
            response_id INTEGER REFERENCES responses(id) ON DELETE SET NULL,
            imported_at TEXT NOT NULL
        ) WITHOUT ROWID""",
        # Voice comments: the Telegram file and the copy on disk (a path
        # relative to the database's folder). Rows go with their response;
        # the files are removed by the code that deletes the person.
        """CREATE TABLE voice_comments (
            id INTEGER PRIMARY KEY,
            response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            file_id TEXT NOT NULL,
            file_unique_id TEXT NOT NULL,
            path TEXT,
            duration INTEGER NOT NULL DEFAULT 0,
            size INTEGER,
            message_id INTEGER,
            created_at TEXT NOT NULL,
            UNIQUE (response_id, file_unique_id)
        )""",
        "CREATE INDEX voice_by_time ON voice_comments (created_at)",
    ],
    13: [
        # Issue 12, versions: every survey file the bot has run (its exact
        # text, keyed by the SHA-256 a response records), so a response
        # finishes on the version it began on after the file changes.
        """CREATE TABLE survey_versions (
            hash TEXT PRIMARY KEY,
            survey_id TEXT NOT NULL,
            version TEXT NOT NULL,
            text TEXT NOT NULL,
            first_seen TEXT NOT NULL
        ) WITHOUT ROWID""",
        # Issue 12, rounds: one scoring cycle, with its years and survey
        # version. Open while closed_at is NULL; at most one is open.
        """CREATE TABLE rounds (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            now_year INTEGER NOT NULL,
            forecast_year INTEGER NOT NULL,
            survey_hash TEXT NOT NULL,
            opens_at TEXT NOT NULL,
            closes_on TEXT,
            closed_at TEXT
        )""",
        "CREATE UNIQUE INDEX rounds_one_open ON rounds ((closed_at IS NULL)) WHERE closed_at IS NULL",
        # A person answers once per round: responses is rebuilt with round_id
        # ('' until the first round exists; the bot then puts those responses
        # in a default round) and UNIQUE (user_id, survey_id, round_id). The
        # step runs with foreign keys off (see storage.database.migrate), so
        # dropping the old table cascades nothing; the answers keep their ids.
        "DROP VIEW response_cells",
        """CREATE TABLE responses_new (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            survey_id TEXT NOT NULL,
            survey_version TEXT NOT NULL,
            survey_hash TEXT NOT NULL,
            invitation_code TEXT REFERENCES invitations(code) ON DELETE SET NULL,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            submitted_at TEXT,
            live_message_id INTEGER,
            shown_step TEXT,
            last_message_id INTEGER,
            mode TEXT NOT NULL DEFAULT 'self' CHECK (mode IN ('self', 'interview', 'paper')),
            round_id TEXT NOT NULL DEFAULT '',
            UNIQUE (user_id, survey_id, round_id)
        )""",
        """INSERT INTO responses_new (id, user_id, survey_id, survey_version, survey_hash,
                invitation_code, started_at, updated_at, submitted_at, live_message_id,
                shown_step, last_message_id, mode)
            SELECT id, user_id, survey_id, survey_version, survey_hash, invitation_code,
                started_at, updated_at, submitted_at, live_message_id, shown_step,
                last_message_id, mode FROM responses""",
        "DROP TABLE responses",
        # Legacy renaming leaves the triggers of other tables that name
        # responses (migrations 3 and 4) as they are: they find the new table.
        "PRAGMA legacy_alter_table = ON",
        "ALTER TABLE responses_new RENAME TO responses",
        "PRAGMA legacy_alter_table = OFF",
        "CREATE INDEX responses_by_survey ON responses (survey_id, submitted_at)",
        "CREATE INDEX responses_by_round ON responses (round_id, survey_id)",
        RESPONSE_CELLS_VIEW,
        f"""CREATE TRIGGER rating_totals_response_gone BEFORE DELETE ON responses BEGIN
            {_shift_totals("-", "t", _all_ratings_of("OLD.id"))}
        END""",
    ],
}
MIGRATIONS[14] = _round_totals_migration()
# Webhook workers (issue 19): see storage/webhook.py for what each table is for.
MIGRATIONS[15] = [
    # Every update a webhook worker received, by Telegram's update id: the
    # insert-once key that makes a redelivery (to this or another worker) a
    # no-op, and each person's queue, drained in update id order under the
    # person's lease. The body and the person are cleared once handled.
    """CREATE TABLE webhook_inbox (
        update_id INTEGER PRIMARY KEY,
        person INTEGER,
        body TEXT,
        received_at REAL NOT NULL,
        done_at REAL
    )""",
    "CREATE INDEX webhook_inbox_waiting ON webhook_inbox (person, update_id) WHERE done_at IS NULL",
    "CREATE INDEX webhook_inbox_done ON webhook_inbox (done_at) WHERE done_at IS NOT NULL",
    # Leases between worker processes: 'leader' (who runs the scheduled jobs)
    # and 'p:<id>' (who is handling that person's updates). A lease whose
    # expiry passed may be taken by anyone: a killed holder stops renewing.
    """CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at REAL NOT NULL
    ) WITHOUT ROWID""",
]


def _actions_migration() -> list[str]:
    """Issue 20, from scores to action: providers' self-assessment (an invitation's
    role and organisation), action plans as typed records with their indicators and
    an audit trail of every change, and respondents' opt-in to hear about them.

    Registered at the next free number: branches merged in another order renumber
    nothing by hand (the step is the same whatever its number)."""
    return [
        # A provider invitation (role 'provider') is answered by service providers
        # (a commune People's Committee, a school, a health station) about the same
        # indicators; their answers are kept apart from the community's everywhere.
        "ALTER TABLE invitations ADD COLUMN role TEXT NOT NULL DEFAULT 'community'"
        " CHECK (role IN ('community', 'provider'))",
        "ALTER TABLE invitations ADD COLUMN organisation TEXT NOT NULL DEFAULT ''",
        # One action of a joint action plan: agreed at an interface meeting, for
        # one round and scope, about one or more indicators. Who is responsible is
        # an organisation and a role, never a person's Telegram id.
        """CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            round_id TEXT NOT NULL,
            scope TEXT NOT NULL DEFAULT '{}',
            issue TEXT NOT NULL,
            agreed TEXT NOT NULL,
            organisation TEXT NOT NULL,
            role TEXT NOT NULL DEFAULT '',
            due_on TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'agreed'
                CHECK (status IN ('agreed', 'in_progress', 'done', 'dropped')),
            agreed_on TEXT NOT NULL,
            started_on TEXT,
            done_on TEXT,
            dropped_on TEXT,
            evidence TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE action_indicators (
            action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
            code TEXT NOT NULL,
            PRIMARY KEY (action_id, code)
        )""",
        "CREATE INDEX action_indicators_by_code ON action_indicators (code)",
        # Who changed what when: the coordinator's Telegram id (0 for the command
        # line) lives here only and is never exported.
        """CREATE TABLE action_changes (
            id INTEGER PRIMARY KEY,
            action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
            actor_id INTEGER NOT NULL,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX action_changes_by_action ON action_changes (action_id, at)",
        # Reminders to coordinators before an action's due date: each once.
        """CREATE TABLE action_reminders (
            action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
            telegram_id INTEGER NOT NULL,
            days_before INTEGER NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (action_id, telegram_id, days_before)
        ) WITHOUT ROWID""",
        # Closing the loop: a respondent's separate opt-in (off unless a row is
        # here), removed with the person by /delete (ON DELETE CASCADE).
        """CREATE TABLE action_updates (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            opted_in_at TEXT NOT NULL,
            last_sent_at TEXT
        )""",
        # Each notice once: (action, person, event agreed|done).
        """CREATE TABLE action_notices (
            action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            event TEXT NOT NULL CHECK (event IN ('agreed', 'done')),
            sent_at TEXT,
            PRIMARY KEY (action_id, user_id, event)
        ) WITHOUT ROWID""",
    ]


ACTIONS_STEP = max(MIGRATIONS) + 1  # 16: after the webhook workers' 15
MIGRATIONS[ACTIONS_STEP] = _actions_migration()
DIGEST_PARTS_STEP = ACTIONS_STEP + 1  # 17
MIGRATIONS[DIGEST_PARTS_STEP] = [
    # Each part of a scheduled digest (text, album, workbook) on its own row: marked
    # 'sending' before its request goes out and 'sent' when Telegram answers. A part
    # left 'sending' by a crash or a timeout may have arrived: it is never sent again
    # (the coordinator is told instead, then it is 'unknown'). A part Telegram
    # refused has no row and is sent on the next attempt.
    """CREATE TABLE digest_parts (
        delivery_id INTEGER NOT NULL REFERENCES digest_deliveries(id) ON DELETE CASCADE,
        part TEXT NOT NULL CHECK (part IN ('text', 'album', 'workbook')),
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'unknown')),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (delivery_id, part)
    )""",
    # Deliveries made before: their counted parts were sent.
    """INSERT INTO digest_parts (delivery_id, part, status, updated_at)
        SELECT d.id, p.part, 'sent', COALESCE(d.sent_at, d.created_at)
        FROM digest_deliveries d
        JOIN (SELECT 1 AS n, 'text' AS part UNION ALL SELECT 2, 'album'
              UNION ALL SELECT 3, 'workbook') p ON p.n <= d.parts""",
]
PROVIDER_ITEMS_STEP = DIGEST_PARTS_STEP + 1  # 18
MIGRATIONS[PROVIDER_ITEMS_STEP] = [
    # The indicators a provider invitation asks about, comma-separated codes ('' is
    # every indicator): a school rates education, a health station health (issue 20).
    "ALTER TABLE invitations ADD COLUMN only_codes TEXT NOT NULL DEFAULT ''",
]
ACTION_DRAFTS_STEP = PROVIDER_ITEMS_STEP + 1  # 19
MIGRATIONS[ACTION_DRAFTS_STEP] = [
    # A coordinator's action being entered in chat, step by step (JSON): in the
    # database, not in one process's memory, so the next typed answer may reach
    # another webhook worker, or the bot after a restart, and carry on.
    """CREATE TABLE action_drafts (
        telegram_id INTEGER PRIMARY KEY,
        draft TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
]


# Issue 19, item 6: a change mark per round, so a warm bot knows an unchanged round
# without reading its people, sums and responses again. Every stored answer, response,
# consent, invitation and pseudonym a digest reads moves the mark of each round it is
# in (a response moving round or mode: both rounds). A mark starts at a random number
# (never 0), so two databases, or one made again at the same path, never share one;
# it only grows. No row: nothing recorded yet, and a reader must read the round.
ROUND_MARKS_TABLE = """CREATE TABLE round_marks (
    survey_id TEXT NOT NULL,
    round_id TEXT NOT NULL,
    mark INTEGER NOT NULL,
    PRIMARY KEY (survey_id, round_id)
) WITHOUT ROWID"""
# A response's columns a digest reads (not the live message's bookkeeping).
MARKED_RESPONSE_COLUMNS = (
    "user_id, survey_id, survey_version, survey_hash, invitation_code, started_at,"
    " submitted_at, mode, round_id"
)
_OF_RESPONSE = (
    "SELECT DISTINCT r.survey_id, r.round_id FROM responses r WHERE r.id = {row}.response_id"
)
_OF_USER = (
    "SELECT DISTINCT r.survey_id, r.round_id FROM responses r WHERE r.user_id = {row}.{column}"
)
_EVERY_ROUND = "SELECT DISTINCT r.survey_id, r.round_id FROM responses r"
_ITSELF = "SELECT {row}.survey_id AS survey_id, {row}.round_id AS round_id"


def round_mark_triggers() -> list[tuple[str, str, str, str]]:
    """(name, event, table, SELECT of the (survey_id, round_id) pairs to mark), every
    trigger AFTER its event; one list for both dialects."""
    triggers = []
    events = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))
    for table in ("ratings", "profile_answers", "texts", "choices", "voice_comments"):
        for name, event, row in events:
            triggers.append(
                (f"round_marks_{table}_{name}", event, table, _OF_RESPONSE.format(row=row))
            )
    triggers += [
        ("round_marks_responses_insert", "INSERT", "responses", _ITSELF.format(row="NEW")),
        (
            "round_marks_responses_update",
            f"UPDATE OF {MARKED_RESPONSE_COLUMNS}",
            "responses",
            _ITSELF.format(row="OLD") + " UNION " + _ITSELF.format(row="NEW"),
        ),
        ("round_marks_responses_delete", "DELETE", "responses", _ITSELF.format(row="OLD")),
    ]
    for name, event, row in events:
        triggers.append(
            (f"round_marks_consents_{name}", event, "consents",
             _OF_USER.format(row=row, column="user_id"))
        )  # fmt: skip
    triggers.append(
        ("round_marks_users_update", "UPDATE OF pseudonym", "users",
         _OF_USER.format(row="NEW", column="id"))
    )  # fmt: skip
    # An invitation's label and role are read for every round (and whether labels repeat).
    for name, event, _row in events:
        if event == "UPDATE":
            event = "UPDATE OF code, label, role"
        triggers.append((f"round_marks_invitations_{name}", event, "invitations", _EVERY_ROUND))
    return triggers


def mark_rounds(pairs: str, start: str, conflict: str = "") -> str:
    """Move the mark of each (survey_id, round_id) of ``pairs``; ``start``: a new mark."""
    return f"""INSERT INTO round_marks (survey_id, round_id, mark)
            SELECT p.survey_id, p.round_id, {start} FROM ({pairs}) AS p WHERE true
            ON CONFLICT {conflict}DO UPDATE SET mark = round_marks.mark + 1;"""


SQLITE_START = "1 + abs(random() % 1000000000000000)"


def _round_marks_migration() -> list[str]:
    return [
        ROUND_MARKS_TABLE,
        *[
            f"""CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN
            {mark_rounds(pairs, SQLITE_START)}
        END"""
            for name, event, table, pairs in round_mark_triggers()
        ],
        # The rounds answered before this step.
        f"""INSERT INTO round_marks (survey_id, round_id, mark)
            SELECT survey_id, round_id, {SQLITE_START} FROM responses
            GROUP BY survey_id, round_id""",
    ]


ROUND_MARKS_STEP = ACTION_DRAFTS_STEP + 1  # 20
MIGRATIONS[ROUND_MARKS_STEP] = _round_marks_migration()
