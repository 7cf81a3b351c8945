"""Outreach SQL: invitation codes, opting out, and reminders for paused responses."""

from __future__ import annotations

from dataclasses import dataclass

from storage.store import Store, utc_now
from storage.users import Invitation, invitation_from_row


async def list_invitations(store: Store, *, include_revoked: bool = False) -> list[Invitation]:
    rows = await store.fetchall(
        "SELECT * FROM invitations"
        + ("" if include_revoked else " WHERE revoked_at IS NULL")
        + " ORDER BY created_at, code"
    )
    return [invitation_from_row(row) for row in rows]


async def revoke_invitation(store: Store, code: str) -> bool:
    """Revoke a code; False when there is no such live code."""
    async with store.write() as db:
        cursor = await db.execute(
            "UPDATE invitations SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL",
            (utc_now(), code),
        )
        return cursor.rowcount == 1


async def set_opted_out(store: Store, telegram_id: int, opted_out: bool) -> None:
    async with store.write() as db:
        await db.execute(
            "UPDATE users SET opted_out_at = ? WHERE telegram_id = ?",
            (utc_now() if opted_out else None, telegram_id),
        )


@dataclass(frozen=True, slots=True)
class Reminder:
    response_id: int
    telegram_id: int
    chat_id: int
    language: str | None


async def due_reminders(
    store: Store, survey_id: str, paused_before: str, max_reminders: int, limit: int = 500
) -> list[Reminder]:
    """Paused responses of reachable, consenting people that may get a reminder now.

    A response is due when it was last touched before ``paused_before``, its
    last reminder (if any) is older than that too, and fewer than
    ``max_reminders`` went out.
    """
    rows = await store.fetchall(
        "SELECT r.id, u.telegram_id, u.chat_id, u.language FROM responses r"
        " JOIN users u ON u.id = r.user_id"
        " JOIN consents c ON c.user_id = u.id AND c.agreed = 1"
        " LEFT JOIN reminders m ON m.response_id = r.id"
        " WHERE r.survey_id = ? AND r.submitted_at IS NULL AND r.updated_at < ?"
        # A closed round's unfinished answers stay, but nobody is pressed to go on.
        " AND r.round_id NOT IN (SELECT id FROM rounds WHERE closed_at IS NOT NULL)"
        " AND u.blocked_at IS NULL AND u.opted_out_at IS NULL AND u.telegram_id > 0"
        " AND (m.response_id IS NULL OR (m.sent_count < ? AND m.last_sent_at < ?))"
        " ORDER BY r.updated_at LIMIT ?",
        (survey_id, paused_before, max_reminders, paused_before, limit),
    )
    return [Reminder(row[0], row[1], row[2], row[3]) for row in rows]


async def count_reminder(
    store: Store, response_id: int, max_reminders: int, now: str | None = None
) -> bool:
    """Count a reminder before it is sent (at most once); False if the cap was reached."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO reminders (response_id, sent_count, last_sent_at) VALUES (?, 1, ?)"
            " ON CONFLICT (response_id) DO UPDATE SET sent_count = sent_count + 1,"
            " last_sent_at = excluded.last_sent_at WHERE sent_count < ?",
            (response_id, now or utc_now(), max_reminders),
        )
        return cursor.rowcount == 1


async def reminders_sent(store: Store, response_id: int) -> int:
    row = await store.fetchone(
        "SELECT sent_count FROM reminders WHERE response_id = ?", (response_id,)
    )
    return int(row[0]) if row else 0
