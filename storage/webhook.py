"""What webhook workers share through the database: the inbox and the leases.

Several ``scorecard-bot serve`` worker processes receive Telegram's updates.
Three rules hold across them, each kept here in SQL:

* **Once per update id.** Every update goes into ``webhook_inbox`` keyed by
  its ``update_id`` (an insert that does nothing the second time), and is
  marked done after its handlers ran; a redelivery of a done update, to any
  worker, is answered without running anything.
* **One person at a time, in order.** A worker handles a person's updates
  only while it holds the lease ``p:<person>``; holding it, it drains that
  person's waiting updates in update id order, whoever received them.
* **One leader.** The lease ``leader`` names the worker that runs the
  scheduled jobs (digests, reminders, backups, purges) and sends broadcasts.

A lease is a row with a holder and an expiry (seconds since the epoch). The
holder renews it; when the holder dies it stops renewing, and once the expiry
passes anyone may take the lease over.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from storage.store import Store

LEADER = "leader"


def person_lease(person: int) -> str:
    return f"p:{person}"


@dataclass(frozen=True, slots=True)
class Waiting:
    update_id: int
    body: str


async def receive(store: Store, update_id: int, person: int | None, body: str) -> bool:
    """Put an update in the inbox; False when it was there already (a redelivery)."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO webhook_inbox (update_id, person, body, received_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING",
            (update_id, person, body, time.time()),
        )
        return cursor.rowcount == 1


async def is_done(store: Store, update_id: int) -> bool:
    row = await store.fetchone(
        "SELECT done_at IS NOT NULL AS done FROM webhook_inbox WHERE update_id = ?", (update_id,)
    )
    return bool(row and row["done"])


async def take_lease(store: Store, name: str, holder: str, seconds: float) -> bool:
    """Take or renew ``name`` for ``seconds``: True when ``holder`` now holds it."""
    now = time.time()
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
            (name, holder, now + seconds, now),
        )
        return cursor.rowcount == 1


async def release_lease(store: Store, name: str, holder: str) -> None:
    await store.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))


async def lease_holder(store: Store, name: str) -> str | None:
    """Who holds ``name`` now (an expired lease is held by nobody)."""
    row = await store.fetchone(
        "SELECT holder FROM leases WHERE name = ? AND expires_at >= ?", (name, time.time())
    )
    return None if row is None else str(row["holder"])


async def next_waiting(store: Store, person: int | None, update_id: int) -> Waiting | None:
    """The person's oldest update not yet handled (for no person: that update itself)."""
    if person is None:
        row = await store.fetchone(
            "SELECT update_id, body FROM webhook_inbox WHERE update_id = ? AND done_at IS NULL",
            (update_id,),
        )
    else:
        row = await store.fetchone(
            "SELECT update_id, body FROM webhook_inbox WHERE person = ? AND done_at IS NULL"
            " ORDER BY update_id LIMIT 1",
            (person,),
        )
    return None if row is None else Waiting(int(row["update_id"]), str(row["body"]))


async def mark_done(store: Store, update_id: int) -> None:
    """Handled: the body (names, texts) and the person go; the id stays to catch redeliveries."""
    await store.execute(
        "UPDATE webhook_inbox SET done_at = ?, body = NULL, person = NULL WHERE update_id = ?",
        (time.time(), update_id),
    )


async def forget_done(store: Store, older_than_seconds: float) -> int:
    """Drop handled ids older than Telegram redelivers (a day), and dead leases."""
    now = time.time()
    async with store.write() as db:
        cursor = await db.execute(
            "DELETE FROM webhook_inbox WHERE done_at IS NOT NULL AND done_at < ?",
            (now - older_than_seconds,),
        )
        await db.execute("DELETE FROM leases WHERE expires_at < ?", (now - 3600,))
        return cursor.rowcount


async def backlog(store: Store) -> int:
    """Updates received and not yet handled: what to monitor."""
    row = await store.fetchone("SELECT COUNT(*) AS n FROM webhook_inbox WHERE done_at IS NULL")
    return int(row["n"]) if row else 0
