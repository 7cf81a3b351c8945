"""PostgreSQL connections that look like SQLite's to the storage functions.

:class:`AsyncPostgres` offers aiosqlite's surface (``execute`` awaitable or
``async with``, ``executemany``, ``execute_fetchall``, ``commit``,
``rollback``, ``close``) over a :mod:`psycopg_pool` pool; :class:`SyncPostgres`
offers :mod:`sqlite3`'s (``execute`` returning an iterable cursor) over one
psycopg connection. Both run each statement through
:func:`storage.dialect.translate`, and read values back as SQLite gives them:
integers and floats (never ``Decimal``), JSON as text, flags as 0/1.

Why psycopg 3 with psycopg_pool rather than asyncpg: one driver for the
asynchronous bot and the synchronous digests, exports and command line (asyncpg
is asynchronous only); client-side binding of ``%s`` parameters that works
through transaction-mode poolers such as PgBouncer (asyncpg's prepared
statements need extra care there); and a pool that checks connections and
reconnects by itself after the server restarts. asyncpg is faster on its own,
but a bot's statements are small and few per press.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import psycopg
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.dialect import translate

# While the server is away (a restart), a statement waits this long for a
# connection and then fails: the person is told "could not be saved, try
# again" well within the 15 s Telegram lets a bot answer a press.
WAIT_SECONDS = 3.0
# Once a wait has failed, statements wait this little until one succeeds again:
# the bot's statements go one at a time, and a queue of them must not wait
# WAIT_SECONDS each.
WAIT_WHILE_DOWN_SECONDS = 0.1
# The pool tries to reconnect with a doubling pause (1 s, 2 s, 4 s, ...); it gives
# an attempt up after this long and the next statement starts another at once, so
# the bot is back within seconds of the server, however long it was away.
RECONNECT_SECONDS = 4.0

# The tables whose rows get an ``id`` from a sequence: an INSERT into them
# returns it, for ``cursor.lastrowid`` as SQLite gives it.
IDENTITY_TABLES = frozenset(
    {"users", "responses", "audit_log", "digest_deliveries", "broadcasts", "interviews",
     "sessions", "voice_comments", "actions", "action_changes"}
)
_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)", re.IGNORECASE)


class _NumberLoader(Loader):
    """``numeric`` (what PostgreSQL's SUM and AVG of integers give) as int or float."""

    def load(self, data: Any) -> int | float:
        text = bytes(data)
        return float(text) if b"." in text or b"e" in text.lower() else int(text)


class _TextLoader(Loader):
    """JSON as its text, as SQLite's json functions return it."""

    def load(self, data: Any) -> str:
        return bytes(data).decode()


class _FlagDumper(Dumper):
    """Python booleans as the 0/1 integers the schema stores."""

    format = Format.TEXT

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


_FlagDumper.oid = psycopg.postgres.types["int8"].oid


def configure(connection: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    adapters = connection.adapters
    adapters.register_loader("numeric", _NumberLoader)
    adapters.register_loader("json", _TextLoader)
    adapters.register_loader("jsonb", _TextLoader)
    adapters.register_dumper(bool, _FlagDumper)


class Row(tuple):  # type: ignore[type-arg]
    """A row read by position or by column name, like ``sqlite3.Row``."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


class Result:
    """A finished statement's rows, read at once (the connection goes back to the pool)."""

    def __init__(self, rows: list[Row], rowcount: int, lastrowid: int | None) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> list[Row]:
        return list(self.rows)

    def __aiter__(self) -> AsyncIterator[Row]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Row]:
        for row in self.rows:
            yield row

    async def close(self) -> None:
        return None


class _Pending:
    """What ``execute`` returns: awaited, or entered with ``async with``."""

    def __init__(self, run: Any) -> None:
        self._run = run

    def __await__(self) -> Any:
        return self._run.__await__()

    async def __aenter__(self) -> Result:
        return await self._run

    async def __aexit__(self, *exc: object) -> None:
        return None


def _statement(sql: str) -> tuple[str, bool]:
    """The translated statement, and whether it was given ``RETURNING id``."""
    translated = translate(sql)
    match = _INSERT.match(sql)
    if match and match.group(1) in IDENTITY_TABLES and "RETURNING" not in sql.upper():
        return translated + " RETURNING id", True
    return translated, False


class AsyncPostgres:
    """aiosqlite's connection surface over a psycopg pool."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        self.row_factory: object = None  # rows are always :class:`Row`
        self._tx: psycopg.AsyncConnection[Any] | None = None
        self._down = False  # the last wait for a connection failed

    async def _getconn(self) -> psycopg.AsyncConnection[Any]:
        timeout = WAIT_WHILE_DOWN_SECONDS if self._down else WAIT_SECONDS
        try:
            connection = await self.pool.getconn(timeout=timeout)
        except PoolTimeout:
            self._down = True
            raise
        self._down = False
        return connection

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        connection = await self._getconn()
        try:
            yield connection
        finally:
            await self.pool.putconn(connection)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Pending:
        return _Pending(self._execute(sql, tuple(params)))

    async def _execute(self, sql: str, params: tuple[Any, ...]) -> Result:
        statement, returning = _statement(sql)
        if statement == "BEGIN":
            if self._tx is None:
                self._tx = await self._getconn()
            try:
                await self._tx.execute("BEGIN")
            except BaseException:
                # Store.write rolls back only once BEGIN succeeded: give the
                # connection back now, or a dead one would serve every later call.
                connection, self._tx = self._tx, None
                await self.pool.putconn(connection)
                raise
            return Result([], -1, None)
        if statement in ("COMMIT", "ROLLBACK"):
            await (self.commit() if statement == "COMMIT" else self.rollback())
            return Result([], -1, None)
        if self._tx is not None:
            return await self._run(self._tx, statement, params, returning)
        async with self._connection() as connection:
            return await self._run(connection, statement, params, returning)

    @staticmethod
    async def _run(
        connection: psycopg.AsyncConnection[Any],
        statement: str,
        params: tuple[Any, ...],
        returning: bool,
    ) -> Result:
        cursor = connection.cursor()
        await cursor.execute(statement, params or None)
        names = (
            {c.name: i for i, c in enumerate(cursor.description)} if cursor.description else {}
        )
        rows = [Row(values, names) for values in await cursor.fetchall()] if names else []
        if returning:
            return Result([], cursor.rowcount, rows[0][0] if rows else None)
        return Result(rows, cursor.rowcount, None)

    async def executemany(self, sql: str, params: Iterable[Iterable[Any]]) -> Result:
        statement = translate(sql)
        batch = [tuple(p) for p in params]
        if not batch:
            return Result([], 0, None)
        if self._tx is not None:
            async with self._tx.cursor() as cursor:
                await cursor.executemany(statement, batch)
                return Result([], cursor.rowcount, None)
        async with self._connection() as connection, connection.cursor() as cursor:
            await cursor.executemany(statement, batch)
            return Result([], cursor.rowcount, None)

    async def execute_fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        return (await self._execute(sql, tuple(params))).rows

    async def commit(self) -> None:
        if self._tx is None:
            return
        connection, self._tx = self._tx, None
        try:
            await connection.execute("COMMIT")
        finally:
            await self.pool.putconn(connection)

    async def rollback(self) -> None:
        if self._tx is None:
            return
        connection, self._tx = self._tx, None
        try:
            if not connection.closed:
                await connection.execute("ROLLBACK")
        except psycopg.Error:
            pass  # a broken connection: the pool throws it away
        finally:
            await self.pool.putconn(connection)

    async def close(self) -> None:
        await self.rollback()
        await self.pool.close()


class SyncPostgres:
    """sqlite3's connection surface (``execute`` → an iterable cursor) over psycopg."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Iterable[Any] = ()) -> psycopg.Cursor[Any]:
        statement = translate(sql)
        if statement == "BEGIN":
            # One snapshot for every query of a digest or an export.
            statement = "BEGIN ISOLATION LEVEL REPEATABLE READ"
        return self.connection.execute(statement, tuple(params) or None)

    def executemany(self, sql: str, params: Iterable[Iterable[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(translate(sql), [tuple(p) for p in params])

    def commit(self) -> None:
        return None  # autocommit, or an explicit COMMIT statement

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> SyncPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def connect_sync(url: str, read_only: bool = False) -> SyncPostgres:
    connection = psycopg.connect(url, autocommit=True)
    configure(connection)
    if read_only:
        connection.execute("SET default_transaction_read_only = on")
    return SyncPostgres(connection)


async def connect_pool(url: str) -> AsyncConnectionPool:
    """A pool whose first connection is made now: a bad URL fails here, with its reason."""
    probe = await psycopg.AsyncConnection.connect(url, autocommit=True)
    await probe.close()

    async def _configure(connection: psycopg.AsyncConnection[Any]) -> None:
        configure(connection)

    pool = AsyncConnectionPool(
        url,
        min_size=1,
        max_size=4,
        open=False,
        kwargs={"autocommit": True},
        configure=_configure,
        check=AsyncConnectionPool.check_connection,
        timeout=WAIT_SECONDS,
        reconnect_timeout=RECONNECT_SECONDS,
    )
    await pool.open(wait=True, timeout=10)
    return pool


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# Two bots (or webhook workers) starting at once migrate one after the other.
MIGRATION_LOCK = 0x5C0EC0DE


async def migrate(connection: psycopg.AsyncConnection[Any]) -> int:
    """Bring the schema up to date; return its version (as storage.database.migrate)."""
    from storage.schema_pg import PG_MIGRATIONS, VERSION_TABLE

    if sorted(PG_MIGRATIONS) != list(range(1, len(PG_MIGRATIONS) + 1)):
        raise RuntimeError("storage.schema_pg.PG_MIGRATIONS must be numbered 1, 2, 3, ...")
    await connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        await connection.execute(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)"
        )
        cursor = await connection.execute(f"SELECT version FROM {VERSION_TABLE}")
        row = await cursor.fetchone()
        if row is None:
            await connection.execute(f"INSERT INTO {VERSION_TABLE} VALUES (0)")
        current = int(row[0]) if row else 0
        if current > len(PG_MIGRATIONS):
            raise WrongVersion(
                f"the database is at schema version {current}, newer than this bot's"
                f" {len(PG_MIGRATIONS)}: upgrade the bot"
            )
        for version in sorted(v for v in PG_MIGRATIONS if v > current):
            async with connection.transaction():
                for statement in PG_MIGRATIONS[version]:
                    await connection.execute(statement)
                await connection.execute(f"UPDATE {VERSION_TABLE} SET version = %s", (version,))
            current = version
        # A write that changes nothing: fails now on a read-only server or role.
        await connection.execute(f"UPDATE {VERSION_TABLE} SET version = version")
    finally:
        if not connection.closed:
            await connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
    return current


class WrongVersion(Exception):
    """The database was made by a newer bot."""


async def open_postgres(url: str) -> AsyncPostgres:
    """Connect, migrate and write-test; failures as one-line ``DatabaseUnavailable``."""
    from storage.dialect import DatabaseUnavailable, PostgresURL

    name = PostgresURL(url).redacted
    try:
        pool = await connect_pool(url)
    except (psycopg.Error, OSError) as error:
        raise DatabaseUnavailable(f"cannot connect to {name}: {first_line(error)}") from error
    try:
        async with pool.connection() as connection:
            await migrate(connection)
    except WrongVersion as error:
        await pool.close()
        raise DatabaseUnavailable(f"{name}: {error}") from error
    except BaseException as error:
        await pool.close()
        if isinstance(error, psycopg.Error | OSError):
            raise DatabaseUnavailable(f"cannot write {name}: {first_line(error)}") from error
        raise
    return AsyncPostgres(pool)
