"""Opening the SQLite file: pragmas, migrations, one connection per process.

One aiosqlite connection serialises every statement on its own thread, so
writes from many respondents never meet as "database is locked"; WAL lets
readers (exports, digests in other processes) run beside it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite

from storage.schema import MIGRATIONS

log = logging.getLogger(__name__)

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # durable across process crashes in WAL mode
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
)


async def migrate(db: aiosqlite.Connection) -> int:
    """Bring the schema up to date in place; return the resulting version."""
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    if sorted(MIGRATIONS) != list(range(1, len(MIGRATIONS) + 1)):
        raise RuntimeError("storage.schema.MIGRATIONS must be numbered 1, 2, 3, ... without gaps")
    for version in sorted(v for v in MIGRATIONS if v > current):
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version]:
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {int(version)}")
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
        log.info("database migrated to version %d", version)
        current = version
    return current


async def open_database(path: Path | str) -> aiosqlite.Connection:
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(str(path), isolation_level=None)
    db.row_factory = aiosqlite.Row
    for pragma in PRAGMAS:
        await db.execute(pragma)
    await migrate(db)
    return db
