"""Backups: ``scorecard-bot backup`` / ``restore`` and the daily ``[backup]`` job.

The copying itself is ``storage.backup`` (blocking sqlite3); the job runs it
in a worker thread so respondents' answers keep flowing while it copies.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

from telegram.ext import Application, ContextTypes

from bot.cli import command
from bot.config import ConfigError, Settings
from storage import backup as backups
from storage.lock import DatabaseInUse

log = logging.getLogger(__name__)
JOB_NAME = "backup-daily"
CATCH_UP_NAME = "backup-catch-up"
CATCH_UP_DELAY = 60  # seconds after start-up: respondents first


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    options = settings.backup
    if options.folder is None or application.job_queue is None:
        return
    hours, minutes = map(int, options.time.split(":"))
    application.job_queue.run_daily(
        daily_job, time=clock(hours, minutes, tzinfo=settings.zone), name=JOB_NAME
    )
    # A laptop that was off (or a bot stopped) at that time still gets today's copy.
    application.job_queue.run_once(catch_up_job, when=CATCH_UP_DELAY, name=CATCH_UP_NAME)


async def catch_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """At start-up: today's copy if its time has passed and it is not there yet."""
    settings: Settings = context.bot_data["settings"]
    options = settings.backup
    assert options.folder is not None
    now = datetime.now(settings.zone)
    hours, minutes = map(int, options.time.split(":"))
    due = now.time() >= clock(hours, minutes)
    if due and not backups.daily_path(options.folder, now.date()).exists():
        await daily_job(context)


async def daily_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Today's copy, then only the newest ``keep``; a failure is logged, never raised."""
    settings: Settings = context.bot_data["settings"]
    options = settings.backup
    assert options.folder is not None
    today = datetime.now(settings.zone).date()
    try:
        copy, removed = await asyncio.to_thread(
            backups.daily_backup, settings.storage.database, options.folder, options.keep, today
        )
    except (OSError, backups.sqlite3.Error, backups.NotAScorecardDatabase) as error:
        log.error("backup: the daily copy into %s failed: %s", options.folder, error)
        return
    log.info(
        "backup: wrote %s (%d ratings); removed %d older copies",
        copy.path,
        copy.ratings,
        len(removed),
    )


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="the file to write the copy to")


@command(
    "backup",
    "write a consistent copy of the database to --out FILE (also while the bot runs)",
    _backup_arguments,
)
def backup_command(settings: Settings, args: argparse.Namespace) -> int:
    database = settings.storage.database
    if not database.exists():
        raise ConfigError(f"storage.database: no database at {database}")
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
