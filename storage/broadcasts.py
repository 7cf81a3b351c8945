"""Broadcasts and their recipients: who gets what, and how each delivery ended.

Delivery is at most once. A recipient row moves ``pending`` -> ``sending``
(committed before the API call) -> ``sent`` / ``blocked`` / ``failed``
(committed after it). Telegram has no idempotency key, so a row still in
``sending`` after a crash may or may not have been delivered; it becomes
``uncertain`` and is never sent again, because a duplicate message is the
one thing a respondent notices and cannot be taken back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.store import Store, utc_now

FINAL = ("sent", "blocked", "failed", "skipped", "uncertain")


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    created_by: int
    audience: str
    text: str
    invitation_code: str | None
    status: str
    report_chat_id: int | None


@dataclass(frozen=True, slots=True)
class Recipient:
    chat_id: int
    language: str | None


def _broadcast(row: object) -> Broadcast:
    return Broadcast(*(row[name] for name in Broadcast.__slots__))  # type: ignore[index]


# A negative telegram_id is a respondent without a Telegram account of their
# own (migration 9): nobody to message.
_REACHABLE = "u.blocked_at IS NULL AND u.opted_out_at IS NULL AND u.telegram_id > 0"


async def audience_users(store: Store, audience: str, survey_id: str) -> list[tuple[int, int]]:
    """(chat id, user id) of reachable people: ``all``, ``paused`` or ``code=<code>``."""
    if audience == "all":
        sql = f"SELECT u.chat_id, u.id FROM users u WHERE {_REACHABLE}"
        params: tuple[object, ...] = ()
    elif audience == "paused":
        sql = (
            "SELECT u.chat_id, u.id FROM users u JOIN responses r ON r.user_id = u.id"
            f" WHERE r.survey_id = ? AND r.submitted_at IS NULL AND {_REACHABLE}"
            " AND r.round_id NOT IN (SELECT id FROM rounds WHERE closed_at IS NOT NULL)"
        )
        params = (survey_id,)
    elif audience.startswith("code="):
        sql = (
            "SELECT DISTINCT u.chat_id, u.id FROM users u LEFT JOIN responses r"
            " ON r.user_id = u.id WHERE (r.invitation_code = ? OR u.invitation_code = ?)"
            f" AND {_REACHABLE}"
        )
        code = audience.removeprefix("code=")
        params = (code, code)
    else:
        raise ValueError(f"unknown audience {audience!r}")
    rows = await store.fetchall(sql + " ORDER BY u.id", params)
    return [(int(row[0]), int(row[1])) for row in rows]


async def resolve_ids(store: Store, telegram_ids: Iterable[int]) -> list[tuple[int, int | None]]:
    """(chat id, user id or None) for listed Telegram ids, minus blocked and opted-out people."""
    wanted = sorted(set(telegram_ids))
    known: dict[int, tuple[int, int, bool]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = await store.fetchall(
            "SELECT telegram_id, chat_id, id, blocked_at IS NOT NULL OR opted_out_at IS NOT NULL"
            f" FROM users WHERE telegram_id IN ({marks})",
            chunk,
        )
        known.update({row[0]: (row[1], row[2], bool(row[3])) for row in rows})
    result: list[tuple[int, int | None]] = []
    for telegram_id in wanted:
        if telegram_id in known:
            chat_id, user_id, unreachable = known[telegram_id]
            if not unreachable:
                result.append((chat_id, user_id))
        else:  # never started the bot: Telegram will most likely refuse; recorded as such
            result.append((telegram_id, None))
    return result


async def create(
    store: Store,
    created_by: int,
    audience: str,
    text: str,
    recipients: list[tuple[int, int | None]],
    *,
    invitation_code: str | None = None,
    report_chat_id: int | None = None,
) -> int:
    """A draft broadcast with its recipients, all pending."""
    now = utc_now()
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO broadcasts (created_by, audience, text, invitation_code,"
            " report_chat_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (created_by, audience, text, invitation_code, report_chat_id, now),
        )
        broadcast_id = cursor.lastrowid
        assert broadcast_id is not None
        await db.executemany(
            "INSERT OR IGNORE INTO broadcast_recipients (broadcast_id, chat_id, user_id,"
            " updated_at) VALUES (?, ?, ?, ?)",
            [(broadcast_id, chat_id, user_id, now) for chat_id, user_id in recipients],
        )
    return broadcast_id


async def get(store: Store, broadcast_id: int) -> Broadcast | None:
    row = await store.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return _broadcast(row) if row else None


async def set_status(store: Store, broadcast_id: int, status: str, *, expect: str) -> bool:
    """Move a broadcast from ``expect`` to ``status``; False if it was not in ``expect``."""
    column = {"running": "started_at", "done": "finished_at", "cancelled": "finished_at"}[status]
    async with store.write() as db:
        cursor = await db.execute(
            f"UPDATE broadcasts SET status = ?, {column} = ? WHERE id = ? AND status = ?",
            (status, utc_now(), broadcast_id, expect),
        )
        return cursor.rowcount == 1


async def running(store: Store) -> list[int]:
    rows = await store.fetchall("SELECT id FROM broadcasts WHERE status = 'running' ORDER BY id")
    return [int(row[0]) for row in rows]


async def mark_interrupted(store: Store, broadcast_id: int) -> int:
    """After a crash: rows left in ``sending`` become ``uncertain`` (never resent)."""
    async with store.write() as db:
        cursor = await db.execute(
            "UPDATE broadcast_recipients SET status = 'uncertain',"
            " reason = 'interrupted during sending', updated_at = ?"
            " WHERE broadcast_id = ? AND status = 'sending'",
            (utc_now(), broadcast_id),
        )
        return cursor.rowcount


async def claim_next(store: Store, broadcast_id: int) -> Recipient | None:
    """The next pending recipient, committed as ``sending`` before anything is sent.

    People who opted out or blocked the bot since the preview are ``skipped``.
    """
    async with store.write() as db:
        while True:
            async with db.execute(
                "SELECT b.chat_id, b.user_id, u.language, u.blocked_at, u.opted_out_at"
                " FROM broadcast_recipients b LEFT JOIN users u ON u.id = b.user_id"
                " WHERE b.broadcast_id = ? AND b.status = 'pending' ORDER BY b.chat_id LIMIT 1",
                (broadcast_id,),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            unreachable = row["blocked_at"] is not None or row["opted_out_at"] is not None
            await db.execute(
                "UPDATE broadcast_recipients SET status = ?, reason = ?, updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ?",
                (
                    "skipped" if unreachable else "sending",
                    "opted out or blocked" if unreachable else None,
                    utc_now(),
                    broadcast_id,
                    row["chat_id"],
                ),
            )
            if not unreachable:
                return Recipient(int(row["chat_id"]), row["language"])


async def finish_recipient(
    store: Store, broadcast_id: int, chat_id: int, status: str, reason: str | None = None
) -> None:
    """Record how one delivery ended (``pending`` puts it back after a 429)."""
    async with store.write() as db:
        await db.execute(
            "UPDATE broadcast_recipients SET status = ?, reason = ?, updated_at = ?"
            " WHERE broadcast_id = ? AND chat_id = ? AND status = 'sending'",
            (status, reason[:200] if reason else None, utc_now(), broadcast_id, chat_id),
        )


async def counts(store: Store, broadcast_id: int) -> dict[str, int]:
    rows = await store.fetchall(
        "SELECT status, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    )
    found = {str(row[0]): int(row[1]) for row in rows}
    return {status: found.get(status, 0) for status in ("pending", "sending", *FINAL)}


async def failure_reasons(store: Store, broadcast_id: int, limit: int = 5) -> list[tuple[str, int]]:
    rows = await store.fetchall(
        "SELECT reason, COUNT(*) FROM broadcast_recipients WHERE broadcast_id = ?"
        " AND status IN ('failed', 'uncertain') GROUP BY reason ORDER BY COUNT(*) DESC LIMIT ?",
        (broadcast_id, limit),
    )
    return [(str(row[0]), int(row[1])) for row in rows]
