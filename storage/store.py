"""The store: one database connection shared by every handler.

A single statement (:meth:`Store.fetchall`, :meth:`Store.execute`) is its own
transaction, so on SQLite many of them may be in flight at once: aiosqlite
runs them one after another on its thread without waiting for the event loop
in between (on PostgreSQL they go one at a time per process). A transaction
(:meth:`Store.write`) has the connection alone: statements sent while it is
open wait until it commits, so concurrent handlers never interleave inside
one another's transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.database import open_database
from storage.dialect import is_postgres


def utc_now() -> str:
    """UTC, ISO 8601 with seconds and a Z: the one timestamp format stored."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _SharedOrAlone:
    """Statements share the connection; a transaction has it alone.

    ``alone`` holds ``_turn`` for the whole transaction. ``shared`` waits for
    ``_turn`` only while a transaction holds it (or waits for it, so a stream
    of statements never starves one), and does not keep it: a statement issued
    before the transaction began runs before it (first in aiosqlite's queue).
    ``one_at_a_time``: statements hold ``_turn`` too, one after another.
    """

    def __init__(self, one_at_a_time: bool = False) -> None:
        self._turn = asyncio.Lock()
        self._one_at_a_time = one_at_a_time

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        if self._one_at_a_time:
            async with self._turn:
                yield
            return
        if self._turn.locked():
            async with self._turn:
                pass  # nothing may suspend from here until the statement is issued
        yield

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        async with self._turn:
            yield


class Store:
    def __init__(self, db: aiosqlite.Connection, path: Path | str) -> None:
        self.db = db
        self.path = path
        # On PostgreSQL a statement in flight holds one of the pool's four
        # connections: many at once from one worker (its people's taps, their
        # leases and inbox polls) could starve one another into PoolTimeouts
        # under load, and the pool's short wait once one timed out would spread
        # it; untested there, so each process sends one at a time, as before,
        # and the workers are what runs PostgreSQL statements side by side.
        self._access = _SharedOrAlone(one_at_a_time=is_postgres(path))

    @classmethod
    async def open(cls, path: Path | str) -> Store:
        return cls(await open_database(path), path)

    async def close(self) -> None:
        async with self._access.alone():
            await self.db.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; committed to disk when the block exits."""
        async with self._access.alone():
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.rollback()
                raise
            await self.db.commit()

    # One statement, one trip to the database thread: with many respondents
    # at once, the number of trips per answer is what bounds throughput, and
    # trips in flight together overlap their hand-overs between the threads.
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._access.shared():
            return list(await self.db.execute_fetchall(sql, tuple(params)))

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def execute(self, sql: str, params: Iterable[Any] = ()) -> None:
        """One statement in its own (autocommit) transaction: durable on return."""
        async with self._access.shared():
            await self.db.execute_fetchall(sql, tuple(params))
