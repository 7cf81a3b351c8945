"""Backups: ``scorecard-bot backup`` / ``restore`` and the daily ``[backup]`` job.

The copying itself is ``storage.backup`` (blocking sqlite3); the job runs it
in a worker thread so respondents' answers keep flowing while it copies.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from datetime import time as clock

from bot.config import Settings
from bot.context import Context
from storage import backup as backups

log = logging.getLogger(__name__)
JOB_NAME = "backup-daily"
CATCH_UP_NAME = "backup-catch-up"
CATCH_UP_DELAY = 60  # seconds after start-up: respondents first


async def catch_up_job(context: Context) -> None:
    """At start-up: today's copy if its time has passed and it is not there yet."""
    settings: Settings = context.bot_data.settings
    options = settings.backup
    assert options.folder is not None
    now = datetime.now(settings.zone)
    hours, minutes = map(int, options.time.split(":"))
    due = now.time() >= clock(hours, minutes)
    if due and not backups.daily_path(options.folder, now.date()).exists():
        await daily_job(context)


async def daily_job(context: Context) -> None:
    """Today's copy, then only the newest ``keep``; a failure is logged, never raised."""
    settings: Settings = context.bot_data.settings
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
