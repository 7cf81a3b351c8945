"""Coordinators and the digests sent to them.

A delivery row is claimed before anything is sent, and each part (text, album,
workbook) has its row in ``digest_parts``, so a restart resumes a digest
instead of repeating it, no part is sent twice, and the UNIQUE (coordinator,
window end) key keeps any window from being sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.store import Store, utc_now


@dataclass(frozen=True, slots=True)
class Coordinator:
    telegram_id: int
    scope: str  # JSON
    schedule: str
    language: str
    source: str  # 'config' or 'chat'
    active: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    telegram_id: int
    window_start: str
    window_end: str
    status: str  # sending, retrying, sent, failed, blocked
    parts: int  # how many parts were sent (digest_parts has which)
    attempts: int


def _coordinator(row: object) -> Coordinator:
    return Coordinator(
        row["telegram_id"],
        row["scope"],
        row["schedule"],
        row["language"],  # type: ignore[index]
        row["source"],
        bool(row["active"]),
        row["created_at"],  # type: ignore[index]
    )


async def list_coordinators(store: Store) -> list[Coordinator]:
    rows = await store.fetchall("SELECT * FROM coordinators ORDER BY telegram_id")
    return [_coordinator(row) for row in rows]


async def get_coordinator(store: Store, telegram_id: int) -> Coordinator | None:
    row = await store.fetchone("SELECT * FROM coordinators WHERE telegram_id = ?", (telegram_id,))
    return _coordinator(row) if row else None


async def upsert_coordinator(
    store: Store, telegram_id: int, scope: str, schedule: str, language: str, source: str
) -> None:
    """Add or update a coordinator; keeps their active flag and creation time."""
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "INSERT INTO coordinators (telegram_id, scope, schedule, language, source,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (telegram_id)"
            " DO UPDATE SET scope = excluded.scope, schedule = excluded.schedule,"
            " language = excluded.language, source = excluded.source,"
            " updated_at = excluded.updated_at",
            (telegram_id, scope, schedule, language, source, now, now),
        )


async def set_schedule(store: Store, telegram_id: int, schedule: str) -> bool:
    async with store.write() as db:
        cursor = await db.execute(
            "UPDATE coordinators SET schedule = ?, updated_at = ? WHERE telegram_id = ?",
            (schedule, utc_now(), telegram_id),
        )
        return cursor.rowcount == 1


async def set_active(store: Store, telegram_id: int, active: bool) -> None:
    async with store.write() as db:
        await db.execute(
            "UPDATE coordinators SET active = ?, updated_at = ? WHERE telegram_id = ?",
            (int(active), utc_now(), telegram_id),
        )


async def remove_coordinator(store: Store, telegram_id: int) -> bool:
    async with store.write() as db:
        cursor = await db.execute("DELETE FROM coordinators WHERE telegram_id = ?", (telegram_id,))
        return cursor.rowcount == 1


async def remove_config_coordinators_except(store: Store, keep: list[int]) -> None:
    """Coordinators dropped from the config file stop being coordinators."""
    marks = ",".join("?" * len(keep)) or "NULL"
    async with store.write() as db:
        await db.execute(
            f"DELETE FROM coordinators WHERE source = 'config' AND telegram_id NOT IN ({marks})",
            keep,
        )


def _delivery(row: object) -> Delivery:
    return Delivery(*(row[name] for name in Delivery.__slots__))  # type: ignore[index]


async def claim_delivery(
    store: Store, telegram_id: int, window_start: str, window_end: str
) -> Delivery | None:
    """The delivery to (re)attempt for this window, or None when it is done or given up."""
    async with store.write() as db:
        await db.execute(
            "INSERT INTO digest_deliveries (telegram_id, window_start, window_end, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (telegram_id, window_end) DO NOTHING",
            (telegram_id, window_start, window_end, utc_now()),
        )
        async with db.execute(
            "UPDATE digest_deliveries SET attempts = attempts + 1, status = 'sending'"
            " WHERE telegram_id = ? AND window_end = ? AND status IN ('sending', 'retrying')"
            " RETURNING *",
            (telegram_id, window_end),
        ) as cursor:
            row = await cursor.fetchone()
    return _delivery(row) if row else None


PARTS = ("text", "album", "workbook")


async def part_states(store: Store, delivery_id: int) -> dict[str, str]:
    """Each recorded part of a delivery and its state: 'sending', 'sent' or 'unknown'."""
    rows = await store.fetchall(
        "SELECT part, status FROM digest_parts WHERE delivery_id = ?", (delivery_id,)
    )
    return {row["part"]: row["status"] for row in rows}


async def mark_part(store: Store, delivery_id: int, part: str, status: str) -> None:
    """Record a part as 'sending' (before its request), 'sent' or 'unknown'."""
    async with store.write() as db:
        await db.execute(
            "INSERT INTO digest_parts (delivery_id, part, status, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (delivery_id, part) DO UPDATE SET status = excluded.status,"
            " updated_at = excluded.updated_at",
            (delivery_id, part, status, utc_now()),
        )
        if status == "sent":
            await db.execute(
                "UPDATE digest_deliveries SET parts = (SELECT COUNT(*) FROM digest_parts"
                " WHERE delivery_id = ? AND status = 'sent') WHERE id = ?",
                (delivery_id, delivery_id),
            )


async def clear_part(store: Store, delivery_id: int, part: str) -> None:
    """Telegram refused the part's request: it was not delivered, the next attempt sends it."""
    async with store.write() as db:
        await db.execute(
            "DELETE FROM digest_parts WHERE delivery_id = ? AND part = ? AND status = 'sending'",
            (delivery_id, part),
        )


async def finish_delivery(
    store: Store, delivery_id: int, status: str, error: str | None = None
) -> None:
    async with store.write() as db:
        await db.execute(
            "UPDATE digest_deliveries SET status = ?, error = ?,"
            " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            (status, error, status, utc_now(), delivery_id),
        )


async def latest_delivery(store: Store, telegram_id: int) -> Delivery | None:
    row = await store.fetchone(
        "SELECT * FROM digest_deliveries WHERE telegram_id = ? ORDER BY window_end DESC LIMIT 1",
        (telegram_id,),
    )
    return _delivery(row) if row else None


async def deliveries(store: Store, telegram_id: int) -> list[Delivery]:
    rows = await store.fetchall(
        "SELECT * FROM digest_deliveries WHERE telegram_id = ? ORDER BY window_end",
        (telegram_id,),
    )
    return [_delivery(row) for row in rows]


async def unfinished_deliveries(store: Store) -> list[Delivery]:
    rows = await store.fetchall(
        "SELECT * FROM digest_deliveries WHERE status IN ('sending', 'retrying') ORDER BY id"
    )
    return [_delivery(row) for row in rows]
