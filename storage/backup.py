"""Consistent copies of the database, and putting one back.

``backup`` uses SQLite's online backup API in a single step: the whole copy
is read inside one read transaction, so it is the database exactly as it was
when the copy began (every answer committed before that moment, none after),
and in WAL mode it never blocks the running bot's writes. ``restore`` checks
that a file really is a scorecard database this code can open before putting
it back, and refuses while a bot holds the database's lock.

Blocking calls (plain :mod:`sqlite3`): callers on an event loop run them in a
worker thread.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from storage.lock import acquire
from storage.schema import MIGRATIONS

LATEST_VERSION = max(MIGRATIONS)
# Tables every scorecard database has had since migration 1.
REQUIRED_TABLES = frozenset({"users", "consents", "responses", "ratings"})
DAILY_NAME = re.compile(r"^scorecard-(\d{4}-\d{2}-\d{2})\.sqlite3$")


class NotAScorecardDatabase(Exception):
    """The file cannot be restored; the message says why in one line."""


@dataclass(frozen=True)
class Copy:
    path: Path
    version: int
    ratings: int


def backup(database: Path, out: Path) -> Copy:
    """Copy ``database`` to ``out`` while it may be in use; atomic: ``out`` is whole or absent."""
    if not database.exists():
        raise FileNotFoundError(f"no database at {database}")
    if out.exists() and out.resolve() == database.resolve():
        raise ValueError("the backup would overwrite the database itself")
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    # Owner-only from the first byte: the copy holds Telegram ids and answers.
    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
    # Read-write mode although it only reads: a read-only connection cannot
    # open a WAL database whose -shm file is missing (no bot running).
    source = sqlite3.connect(database)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)  # pages=-1: one step, one read transaction
            # One self-contained file: no -wal beside the copy to forget.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        source.close()
    copy = check(partial)
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    partial.replace(out)
    return Copy(out, copy.version, copy.ratings)


def check(path: Path) -> Copy:
    """The file's schema version and rating count, if it is a sound scorecard database.

    Raises :class:`NotAScorecardDatabase` otherwise: not SQLite, damaged
    (``PRAGMA integrity_check``), not ours, or from a newer version of the bot.
    """
    if not path.is_file():
        raise NotAScorecardDatabase(f"no file at {path}")
    try:
        connection = sqlite3.connect(path)  # only reads; see backup() on read-only mode
    except sqlite3.Error as error:
        raise NotAScorecardDatabase(f"{path} cannot be opened: {error}") from None
    try:
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.Error as error:
            raise NotAScorecardDatabase(f"{path} is not an SQLite database: {error}") from None
        if problems != ["ok"]:
            raise NotAScorecardDatabase(f"{path} is damaged: integrity_check says {problems[0]}")
        if version < 1 or not tables >= REQUIRED_TABLES:
            raise NotAScorecardDatabase(f"{path} is not a scorecard database")
        if version > LATEST_VERSION:
            raise NotAScorecardDatabase(
                f"{path} is at schema version {version}, newer than this bot's {LATEST_VERSION}:"
                " restore it with the version of the bot that wrote it"
            )
        ratings = connection.execute("SELECT COUNT(*) FROM ratings").fetchone()[0]
    finally:
        connection.close()
    return Copy(path, version, ratings)


def restore(source: Path, database: Path, now: datetime) -> Path | None:
    """Put the copy ``source`` in place of ``database``; returns where the old one was kept.

    Raises :class:`storage.lock.DatabaseInUse` while a bot runs on ``database``
    and :class:`NotAScorecardDatabase` for a file that is not a sound copy.
    The lock is held throughout, so no bot starts halfway through. The old
    database is first copied to ``<database>.before-restore-<time>`` (a
    restore of the wrong file can be undone). The copy is written with the
    backup API, through SQLite, so a leftover ``-wal`` of the old database
    can never be replayed over it.
    """
    lock = acquire(database)
    try:
        check(source)
        kept = None
        if database.exists():
            kept = database.with_name(f"{database.name}.before-restore-{now:%Y%m%dT%H%M%S}")
            backup(database, kept)
        database.parent.mkdir(parents=True, exist_ok=True)
        copy = sqlite3.connect(source)
        try:
            target = sqlite3.connect(database)
            try:
                copy.backup(target)
            finally:
                target.close()
        finally:
            copy.close()
        check(database)
        return kept
    finally:
        lock.close()


def daily_path(folder: Path, day: date) -> Path:
    return folder / f"scorecard-{day.isoformat()}.sqlite3"


def daily_backup(database: Path, folder: Path, keep: int, today: date) -> tuple[Copy, list[Path]]:
    """Today's copy as ``folder/scorecard-YYYY-MM-DD.sqlite3`` (replacing one made earlier
    today), then delete all but the newest ``keep`` daily copies; returns the copy and
    the files deleted. Other files in the folder are never touched."""
    copy = backup(database, daily_path(folder, today))
    dailies = sorted(p for p in folder.iterdir() if DAILY_NAME.match(p.name))
    removed = dailies[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink(missing_ok=True)
    return copy, removed
