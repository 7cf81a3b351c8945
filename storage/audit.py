"""The audit table: every admin action, who did it, when, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.database import connect_sync
from storage.store import Store, utc_now


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: int
    action: str
    detail: str
    outcome: str
    at: str


async def record(store: Store, actor_id: int, action: str, detail: str, outcome: str) -> None:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO audit_log (actor_id, action, detail, outcome, at) VALUES (?, ?, ?, ?, ?)",
            (actor_id, action, detail[:500], outcome[:200], utc_now()),
        )


def record_now(database: Path | str, actor_id: int, action: str, detail: str, outcome: str) -> None:
    """:func:`record` for the command line, synchronously: works beside a running bot
    (WAL, a busy timeout) and from inside an event loop (tests call the CLI there)."""
    connection = connect_sync(database, timeout=30)
    try:
        with connection:
            connection.execute(
                "INSERT INTO audit_log (actor_id, action, detail, outcome, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (actor_id, action, detail[:500], outcome[:200], utc_now()),
            )
    finally:
        connection.close()


async def recent(store: Store, limit: int = 20) -> list[AuditEntry]:
    rows = await store.fetchall(
        "SELECT actor_id, action, detail, outcome, at FROM audit_log ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [AuditEntry(*row) for row in rows]
