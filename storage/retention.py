"""Retention: after a while, nothing ties a response to a Telegram account.

A person is due when their last activity is older than the cut-off. Last
activity is the latest of: their first contact with the bot, their consent
decision, and every response's ``updated_at`` (the last answer) and
``submitted_at``, in any round (closing a round is no activity of theirs).

Purging a person keeps their pseudonym, consent and answers, and removes
what leads back to them: the Telegram id becomes the next free negative id
(nobody can be messaged, as for respondents without Telegram), the chat id 0,
and the invitation codes on the person and their responses are cleared (a
code given to one family names them). Their rows in past broadcasts (which
hold the chat id) and their guardian links go too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.dialect import is_postgres
from storage.store import Store

_LAST_ACTIVITY = """MAX(u.created_at,
    COALESCE((SELECT decided_at FROM consents c WHERE c.user_id = u.id), ''),
    COALESCE((SELECT MAX(MAX(r.updated_at, COALESCE(r.submitted_at, '')))
              FROM responses r WHERE r.user_id = u.id), ''))"""

_DUE = f"SELECT u.id FROM users u WHERE u.telegram_id > 0 AND {_LAST_ACTIVITY} < ?"


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    people: int  # Telegram ids and chat ids removed
    response_links: int  # responses whose invitation code was cleared
    pending_links: int  # people whose pending invitation code was cleared
    broadcast_rows: int  # rows of past broadcasts (holding a chat id) deleted


def cutoff(retention_days: int, now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def purge(store: Store, before: str, *, dry_run: bool = False) -> PurgeCounts:
    """Remove the Telegram links of everyone last active before ``before`` (UTC ISO),
    in one transaction; with ``dry_run``, count only (and roll back)."""
    async with store.write() as db:
        if not dry_run and is_postgres(store.path):
            # Clearing invitations moves running totals that answers being stored
            # by other workers move too, in another order: without this they
            # deadlock and one is refused. Answers wait for the purge instead, and
            # the purge for the answers already under way (SQLite's writers take
            # turns anyway).
            await db.execute("LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE")
        await db.execute("DROP TABLE IF EXISTS temp.purge_due")
        await db.execute(f"CREATE TEMP TABLE purge_due AS {_DUE}", (before,))
        counts = []
        for sql in (
            "SELECT COUNT(*) FROM purge_due",
            "SELECT COUNT(*) FROM responses WHERE invitation_code IS NOT NULL"
            " AND user_id IN (SELECT id FROM purge_due)",
            "SELECT COUNT(*) FROM users WHERE invitation_code IS NOT NULL"
            " AND id IN (SELECT id FROM purge_due)",
            "SELECT COUNT(*) FROM broadcast_recipients WHERE user_id IN (SELECT id FROM purge_due)",
        ):
            async with db.execute(sql) as cursor:
                row = await cursor.fetchone()
            counts.append(int(row[0]) if row else 0)
        result = PurgeCounts(*counts)
        if not dry_run and result.people:
            await db.execute(
                "UPDATE responses SET invitation_code = NULL, live_message_id = NULL"
                " WHERE user_id IN (SELECT id FROM purge_due)"
            )
            await db.execute(
                "DELETE FROM broadcast_recipients WHERE user_id IN (SELECT id FROM purge_due)"
            )
            await db.execute(
                "DELETE FROM guardian_links WHERE user_id IN (SELECT id FROM purge_due)"
            )
            # Fresh negative ids below every id in use: distinct, never a Telegram id.
            await db.execute(
                "UPDATE users SET telegram_id = m.base - m.n, chat_id = 0, invitation_code = NULL"
                " FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n,"
                " (SELECT MIN(COALESCE(MIN(telegram_id), 0), 0) FROM users) AS base"
                " FROM purge_due) AS m WHERE users.id = m.id"
            )
        await db.execute("DROP TABLE temp.purge_due")
    return result
