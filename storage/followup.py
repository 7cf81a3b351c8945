"""Closing the loop (issue 20): respondents who opted in to hear about actions.

Off unless a row is in ``action_updates`` (a separate opt-in at the end of the
survey); both tables cascade from ``users``, so /delete removes everything.
``action_notices`` keeps each (action, person, event) once, sent or not yet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from storage.store import Store, utc_now


async def set_opt_in(store: Store, user_id: int, agreed: bool) -> None:
    async with store.write() as db:
        if agreed:
            await db.execute(
                "INSERT INTO action_updates (user_id, opted_in_at) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO NOTHING",
                (user_id, utc_now()),
            )
        else:
            await db.execute("DELETE FROM action_updates WHERE user_id = ?", (user_id,))


async def is_opted_in(store: Store, user_id: int) -> bool:
    row = await store.fetchone("SELECT 1 FROM action_updates WHERE user_id = ?", (user_id,))
    return row is not None


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    chat_id: int
    language: str | None
    last_sent_at: str | None


async def recipients(store: Store, action_id: int, survey_id: str) -> list[Recipient]:
    """Opted-in people who rated one of the action's indicators in its round and scope
    region/area (group is matched in Python by the caller), never stopped or deleted."""
    rows = await store.fetchall(
        "SELECT DISTINCT u.id, u.chat_id, u.language, f.last_sent_at,"
        " rc.grp, rc.region, rc.area, a.scope"
        " FROM actions a JOIN action_indicators ai ON ai.action_id = a.id"
        " JOIN responses r ON r.round_id = a.round_id AND r.survey_id = ?"
        " JOIN ratings t ON t.response_id = r.id AND t.item_code = ai.code AND t.skipped = 0"
        " JOIN users u ON u.id = r.user_id"
        " JOIN action_updates f ON f.user_id = u.id"
        " JOIN response_cells rc ON rc.response_id = r.id"
        " WHERE a.id = ? AND u.telegram_id > 0 AND u.opted_out_at IS NULL AND u.blocked_at IS NULL",
        (survey_id, action_id),
    )
    found: dict[int, Recipient] = {}
    for user_id, chat_id, language, last, group, region, area, scope_text in rows:
        scope = json.loads(scope_text or "{}")
        cell = {"group": group.split(), "region": [region], "area": [area]}
        if all(choice in cell.get(dim, []) for dim, choice in scope.items()):
            found[user_id] = Recipient(user_id, chat_id, language, last)
    return list(found.values())


async def claim_notice(store: Store, action_id: int, user_id: int, event: str) -> bool:
    """Record that this person is told about this event once; False when already told."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO action_notices (action_id, user_id, event, sent_at)"
            " VALUES (?, ?, ?, NULL)",
            (action_id, user_id, event),
        )
        return cursor.rowcount == 1


async def mark_sent(store: Store, action_id: int, user_id: int, event: str) -> None:
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "UPDATE action_notices SET sent_at = ? WHERE action_id = ? AND user_id = ? AND event = ?",
            (now, action_id, user_id, event),
        )
        await db.execute(
            "UPDATE action_updates SET last_sent_at = ? WHERE user_id = ?", (now, user_id)
        )


@dataclass(frozen=True, slots=True)
class Notice:
    action_id: int
    event: str
    user_id: int
    telegram_id: int  # internal: to mark a blocked chat
    chat_id: int
    language: str | None
    last_sent_at: str | None


async def pending(store: Store) -> list[Notice]:
    """Notices claimed but not sent yet (quiet hours, the rate limit), of people who
    still want them: opted in, not stopped, not blocked."""
    rows = await store.fetchall(
        "SELECT n.action_id, n.event, u.id, u.telegram_id, u.chat_id, u.language, f.last_sent_at"
        " FROM action_notices n JOIN users u ON u.id = n.user_id"
        " JOIN action_updates f ON f.user_id = u.id"
        " WHERE n.sent_at IS NULL AND u.opted_out_at IS NULL AND u.blocked_at IS NULL"
        " ORDER BY n.action_id, n.event, u.id"
    )
    return [Notice(*row) for row in rows]
