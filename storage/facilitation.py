"""Facilitators, the interviews they run and what their chat is focused on.

An interview's respondent is an offline user (negative telegram_id, chat 0,
its own pseudonym): the facilitator's Telegram id lives only in
``interviews`` and ``facilitator_focus``, never in responses or exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.rounds import CURRENT_ROUND
from storage.store import Store, utc_now
from storage.users import new_pseudonym


@dataclass(frozen=True, slots=True)
class Facilitator:
    telegram_id: int
    source: str  # config or chat
    created_at: str


@dataclass(frozen=True, slots=True)
class Interview:
    id: int
    facilitator_id: int
    number: int
    user_id: int
    telegram_id: int  # the offline respondent's (negative) id
    pseudonym: str
    consent: str  # verbal or guardian
    status: str  # open or closed
    submitted: bool
    answered: int  # ratings given so far


@dataclass(frozen=True, slots=True)
class Focus:
    kind: str  # interview or session
    target_id: int


# Facilitators ---------------------------------------------------------------


async def get_facilitator(store: Store, telegram_id: int) -> Facilitator | None:
    row = await store.fetchone("SELECT * FROM facilitators WHERE telegram_id = ?", (telegram_id,))
    return Facilitator(row["telegram_id"], row["source"], row["created_at"]) if row else None


async def list_facilitators(store: Store) -> list[Facilitator]:
    rows = await store.fetchall("SELECT * FROM facilitators ORDER BY telegram_id")
    return [Facilitator(r["telegram_id"], r["source"], r["created_at"]) for r in rows]


async def add_facilitator(store: Store, telegram_id: int, source: str) -> bool:
    """True when added; an existing facilitator keeps their source."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO facilitators (telegram_id, source, created_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (telegram_id, source, utc_now()),
        )
        return cursor.rowcount == 1


async def remove_facilitator(store: Store, telegram_id: int) -> bool:
    """Remove the role; their interviews stay (pseudonymous answers belong to the
    respondents) but the chat drops its focus."""
    async with store.write() as db:
        cursor = await db.execute("DELETE FROM facilitators WHERE telegram_id = ?", (telegram_id,))
        await db.execute("DELETE FROM facilitator_focus WHERE facilitator_id = ?", (telegram_id,))
        return cursor.rowcount == 1


async def sync_config_facilitators(store: Store, telegram_ids: list[int]) -> None:
    """Config facilitators in; ones removed from the config out (chat-added ones stay)."""
    now = utc_now()
    async with store.write() as db:
        await db.executemany(
            "INSERT INTO facilitators (telegram_id, source, created_at) VALUES (?, 'config', ?)"
            " ON CONFLICT DO UPDATE SET source = 'config'",
            [(telegram_id, now) for telegram_id in telegram_ids],
        )
        marks = ",".join("?" * len(telegram_ids)) or "NULL"
        await db.execute(
            f"DELETE FROM facilitators WHERE source = 'config' AND telegram_id NOT IN ({marks})",
            telegram_ids,
        )


# Focus ----------------------------------------------------------------------


async def get_focus(store: Store, facilitator_id: int) -> Focus | None:
    row = await store.fetchone(
        "SELECT f.kind, f.target_id FROM facilitator_focus f"
        " JOIN facilitators r ON r.telegram_id = f.facilitator_id WHERE f.facilitator_id = ?",
        (facilitator_id,),
    )
    return Focus(row["kind"], row["target_id"]) if row else None


async def set_focus(
    store: Store, facilitator_id: int, kind: str | None, target_id: int = 0
) -> None:
    async with store.write() as db:
        if kind is None:
            await db.execute(
                "DELETE FROM facilitator_focus WHERE facilitator_id = ?", (facilitator_id,)
            )
        else:
            await db.execute(
                "INSERT INTO facilitator_focus VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET"
                " kind = excluded.kind, target_id = excluded.target_id",
                (facilitator_id, kind, target_id),
            )


# Interviews -----------------------------------------------------------------

_INTERVIEW_SQL = (
    "SELECT i.*, u.telegram_id, u.pseudonym, r.submitted_at,"
    " (SELECT COUNT(*) FROM ratings t WHERE t.response_id = r.id) AS answered"
    " FROM interviews i JOIN users u ON u.id = i.user_id"
    " LEFT JOIN responses r ON r.user_id = u.id"
)


def _interview(row: Any) -> Interview:
    return Interview(
        id=row["id"],
        facilitator_id=row["facilitator_id"],
        number=row["number"],
        user_id=row["user_id"],
        telegram_id=row["telegram_id"],
        pseudonym=row["pseudonym"],
        consent=row["consent"],
        status=row["status"],
        submitted=row["submitted_at"] is not None,
        answered=row["answered"],
    )


async def get_interview(store: Store, interview_id: int) -> Interview | None:
    row = await store.fetchone(_INTERVIEW_SQL + " WHERE i.id = ?", (interview_id,))
    return _interview(row) if row else None


async def interview_by_number(store: Store, facilitator_id: int, number: int) -> Interview | None:
    row = await store.fetchone(
        _INTERVIEW_SQL + " WHERE i.facilitator_id = ? AND i.number = ?", (facilitator_id, number)
    )
    return _interview(row) if row else None


async def open_interviews(store: Store, facilitator_id: int) -> list[Interview]:
    """Interviews that can still be resumed: open and not submitted."""
    rows = await store.fetchall(
        _INTERVIEW_SQL + " WHERE i.facilitator_id = ? AND i.status = 'open'"
        " AND r.submitted_at IS NULL ORDER BY i.number",
        (facilitator_id,),
    )
    return [_interview(row) for row in rows]


async def closed_count(store: Store, facilitator_id: int) -> int:
    row = await store.fetchone(
        "SELECT COUNT(*) FROM interviews i LEFT JOIN responses r ON r.user_id = i.user_id"
        " WHERE i.facilitator_id = ? AND (i.status = 'closed' OR r.submitted_at IS NOT NULL)",
        (facilitator_id,),
    )
    return int(row[0]) if row else 0


async def start_interview(
    store: Store,
    facilitator_id: int,
    consent_message_id: int,
    consent: str,
    language: str,
    consent_version: str,
    survey: tuple[str, str, str],
) -> Interview | None:
    """A new respondent with attested consent, its response in interview mode, and
    the facilitator's focus on it, in one transaction. ``None`` when this consent
    message already started an interview (a double tap or a repeated update)."""
    survey_id, survey_version, survey_hash = survey
    now = utc_now()
    async with store.write() as db:
        async with db.execute(
            "SELECT 1 FROM interviews WHERE facilitator_id = ? AND consent_message_id = ?",
            (facilitator_id, consent_message_id),
        ) as cursor:
            if await cursor.fetchone() is not None:
                return None
        # The next free negative id, as storage.users.create_offline_user does.
        cursor = await db.execute(
            "INSERT INTO users (telegram_id, chat_id, pseudonym, language, created_at)"
            " SELECT MIN(COALESCE(MIN(telegram_id), 0), 0) - 1, 0, ?, ?, ? FROM users",
            (new_pseudonym(), language, now),
        )
        user_id = cursor.lastrowid
        await db.execute(
            "INSERT INTO consents (user_id, agreed, consent_version, decided_at)"
            " VALUES (?, 1, ?, ?)",
            (user_id, consent_version, now),
        )
        await db.execute(
            "INSERT INTO responses (user_id, survey_id, survey_version, survey_hash,"
            " started_at, updated_at, mode, round_id)"
            f" VALUES (?, ?, ?, ?, ?, ?, 'interview', {CURRENT_ROUND})",
            (user_id, survey_id, survey_version, survey_hash, now, now),
        )
        cursor = await db.execute(
            "INSERT INTO interviews (facilitator_id, number, user_id, consent,"
            " consent_message_id, created_at) SELECT ?, COALESCE(MAX(number), 0) + 1, ?, ?, ?, ?"
            " FROM interviews WHERE facilitator_id = ?",
            (facilitator_id, user_id, consent, consent_message_id, now, facilitator_id),
        )
        interview_id = cursor.lastrowid
        await db.execute(
            "INSERT INTO facilitator_focus VALUES (?, 'interview', ?) ON CONFLICT DO UPDATE"
            " SET kind = excluded.kind, target_id = excluded.target_id",
            (facilitator_id, interview_id),
        )
    assert interview_id is not None
    return await get_interview(store, interview_id)


async def close_interview(store: Store, interview_id: int) -> None:
    """No more resuming; the facilitator's focus leaves it. Answers stay."""
    async with store.write() as db:
        await db.execute(
            "UPDATE interviews SET status = 'closed', closed_at = COALESCE(closed_at, ?)"
            " WHERE id = ?",
            (utc_now(), interview_id),
        )
        await db.execute(
            "DELETE FROM facilitator_focus WHERE kind = 'interview' AND target_id = ?",
            (interview_id,),
        )
