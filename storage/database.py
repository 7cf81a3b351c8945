"""Opening the SQLite file: pragmas, migrations, one connection per process.

One aiosqlite connection serialises every statement on its own thread, so
writes from many respondents never meet as "database is locked"; WAL lets
readers (exports, digests in other processes) run beside it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite

from storage.dialect import DatabaseUnavailable, is_postgres
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
    # Steps run with foreign keys off, as SQLite's procedure for rebuilding a
    # table asks (dropping a table would otherwise cascade to its children),
    # and every reference is checked before the step commits.
    await db.execute("PRAGMA foreign_keys = OFF")
    try:
        for version in sorted(v for v in MIGRATIONS if v > current):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[version]:
                    await db.execute(statement)
                async with db.execute("PRAGMA foreign_key_check") as cursor:
                    broken = await cursor.fetchall()
                if broken:
                    raise sqlite3.IntegrityError(
                        f"migration {version} leaves {len(broken)} broken references"
                    )
                await db.execute(f"PRAGMA user_version = {int(version)}")
                await db.commit()
            except BaseException:
                await db.rollback()
                raise
            log.info("database migrated to version %d", version)
            current = version
    finally:
        await db.execute("PRAGMA foreign_keys = ON")
    return current


def database_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a failed statement raises, on either backend."""
    try:
        import psycopg
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, psycopg.Error)


def is_transient(error: BaseException) -> bool:
    """A failure that the same work, done again, would not meet: PostgreSQL refused
    one of two transactions that waited for each other (a deadlock) or could not
    order them (a serialization failure). Never SQLite's, whose writers take turns."""
    try:
        import psycopg
    except ImportError:
        return False
    return isinstance(error, (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure))


async def open_database(path: Path | str) -> aiosqlite.Connection:
    """Open, migrate and check that the file can be written.

    A ``postgresql://`` URL opens PostgreSQL instead (:mod:`storage.postgres`),
    behind the same connection surface.

    Any failure closes the connection (its thread would otherwise keep the
    process alive) and is raised as :class:`DatabaseUnavailable`, one line.
    """
    if is_postgres(path):
        return await _open_postgres(str(path))  # type: ignore[return-value]
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), isolation_level=None)
    except (OSError, sqlite3.Error) as error:
        raise DatabaseUnavailable(f"cannot open {path}: {_reason(error)}") from error
    try:
        db.row_factory = aiosqlite.Row
        for pragma in PRAGMAS:
            await db.execute(pragma)
        version = await migrate(db)
        # A write that changes nothing: fails at once on a read-only file or folder
        # instead of on the first respondent's answer.
        await db.execute(f"PRAGMA user_version = {int(version)}")
    except BaseException as error:
        await db.close()
        if isinstance(error, OSError | sqlite3.Error):
            raise DatabaseUnavailable(f"cannot write {path}: {_reason(error)}") from error
        raise
    return db


def connect_sync(
    database: Path | str, read_only: bool = False, timeout: float = 5.0
) -> sqlite3.Connection:
    """A blocking connection (digests, exports, the command line): ``sqlite3``, or on
    PostgreSQL a :class:`storage.postgres.SyncPostgres` with the same ``execute``."""
    if is_postgres(database):
        from storage.postgres import connect_sync as connect_postgres

        return connect_postgres(str(database), read_only)  # type: ignore[return-value]
    if read_only:
        return sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    return sqlite3.connect(database, timeout=timeout)


async def _open_postgres(url: str) -> object:
    try:
        from storage.postgres import open_postgres
    except ImportError as error:
        raise DatabaseUnavailable(
            f"PostgreSQL needs psycopg ({error.name} is missing):"
            " pip install 'sdg-scorecard-bot[postgresql]'"
        ) from error
    return await open_postgres(url)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)


# Every column that holds a Telegram message id (the duplicate checks compare them).
_MESSAGE_ID_COLUMNS = (
    ("responses", "live_message_id"),
    ("responses", "last_message_id"),
    ("texts", "message_id"),
    ("interviews", "consent_message_id"),
    ("sessions", "live_message_id"),
    ("sessions", "last_message_id"),
    ("voice_comments", "message_id"),
)


def highest_message_id(path: Path) -> int:
    """The largest Telegram message id stored in the database at ``path`` (0 if none,
    or no database yet): a local Bot API must number new messages above it."""
    if not path.exists():
        return 0
    highest = 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table, column in _MESSAGE_ID_COLUMNS:
            try:
                row = connection.execute(f"SELECT MAX({column}) FROM {table}").fetchone()
            except sqlite3.OperationalError:  # an older schema without it
                continue
            highest = max(highest, int(row[0] or 0))
    finally:
        connection.close()
    return highest
