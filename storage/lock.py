"""One running bot per database: an exclusive lock on ``<database>.lock``.

Two bots polling with one token get 409 conflicts from Telegram, and on one
database they would both send reminders and both resume broadcasts. The lock
is ``flock``: held while the file stays open, released by the kernel when the
process ends however it ends (kill -9 included), so a stale lock never blocks
a restart. Commands that only read (export, digest, invites) do not take it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from storage.dialect import PostgresURL, is_postgres

# pg_try_advisory_lock's key for "a bot runs on this database".
BOT_LOCK = 0x5C0EB07


class DatabaseInUse(Exception):
    """Another process holds the database's lock."""


def lock_path(database: Path | str) -> Path:
    return Path(f"{database}.lock")


def acquire(database: Path | str) -> IO[str]:
    """Lock ``database`` for this process; keep the returned file open to keep the lock.

    On PostgreSQL the lock is a session advisory lock on a connection of its own,
    released by the server when the process (so its connection) ends."""
    if is_postgres(database):
        return _acquire_postgres(str(database))  # type: ignore[return-value]
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise DatabaseInUse(
            f"{database} is in use by another running bot"
            + (f" (process {holder})" if holder else "")
            + f"; stop it first (lock file {path})"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


class _PostgresLock:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def close(self) -> None:
        self.connection.close()


def _acquire_postgres(url: str) -> _PostgresLock:
    import psycopg

    from storage.dialect import DatabaseUnavailable
    from storage.postgres import connect_sync, first_line

    try:
        connection = connect_sync(url)
    except psycopg.Error as error:
        redacted = PostgresURL(url).redacted
        raise DatabaseUnavailable(f"cannot connect to {redacted}: {first_line(error)}") from None
    row = connection.execute("SELECT pg_try_advisory_lock(?)", (BOT_LOCK,)).fetchone()
    if not row[0]:
        connection.close()
        raise DatabaseInUse(
            f"{PostgresURL(url).redacted} is in use by another running bot; stop it first"
        )
    return _PostgresLock(connection)
