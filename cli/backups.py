"""``scorecard-bot backup`` and ``restore``: online copies of the database and putting one back."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import ConfigError, Settings
from cli.common import command, existing_database
from storage import backup as backups
from storage.dialect import is_postgres
from storage.lock import DatabaseInUse


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="the file to write the copy to")


@command(
    "backup",
    "write a consistent copy of the database to --out FILE (also while the bot runs)",
    _backup_arguments,
)
def backup_command(settings: Settings, args: argparse.Namespace) -> int:
    _not_on_postgres(settings, "backup", "pg_dump --format=custom --file FILE")
    database = existing_database(settings)
    try:
        copy = backups.backup(database, args.out)
    except ValueError as error:
        raise ConfigError(f"--out: {error}") from None
    except OSError as error:
        raise ConfigError(f"--out: cannot write {args.out}: {error.strerror or error}") from None
    print(
        f"wrote a copy of {database} to {copy.path}"
        f" (schema version {copy.version}, {copy.ratings} ratings)",
        file=sys.stderr,
    )
    return 0


def _restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a copy written by `scorecard-bot backup`")


@command(
    "restore",
    "put a backup FILE in place of the database (refused while a bot runs on it)",
    _restore_arguments,
)
def restore_command(settings: Settings, args: argparse.Namespace) -> int:
    _not_on_postgres(settings, "restore", "pg_restore --clean --if-exists --dbname")
    database = settings.storage.database
    try:
        kept = backups.restore(args.file, database, datetime.now(UTC))
    except DatabaseInUse as error:
        raise ConfigError(f"storage.database: {error}; nothing was restored") from None
    except backups.NotAScorecardDatabase as error:
        raise ConfigError(f"restore: {error}; nothing was restored") from None
    except OSError as error:
        raise ConfigError(f"storage.database: cannot write {database}: {error}") from None
    copy = backups.check(database)
    print(
        f"restored {args.file} into {database} (schema version {copy.version},"
        f" {copy.ratings} ratings; the bot migrates it on start)"
        + (f"; the previous database was kept as {kept}" if kept else ""),
        file=sys.stderr,
    )
    return 0


def _not_on_postgres(settings: Settings, name: str, tool: str) -> None:
    """``backup`` and ``restore`` copy a SQLite file; PostgreSQL has its own tools."""
    database = settings.storage.database
    if is_postgres(database):
        target = f"FILE {database.redacted!r}" if name == "restore" else repr(database.redacted)
        raise ConfigError(
            f"storage.database is PostgreSQL: `{name}` copies SQLite files only;"
            f" use `{tool} {target}` instead (docs/postgresql.md)"
        )
