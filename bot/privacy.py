"""Retention: the daily purge job and ``scorecard-bot purge [--dry-run]``.

What is removed, and when, is in :mod:`storage.retention` and the README
("Privacy"). The job runs five minutes after every start and then every 24
hours, so a bot that is restarted often still purges.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from telegram.ext import Application, ContextTypes

from bot.cli import command
from bot.config import ConfigError, Settings
from conversations.services import Services
from storage import retention

log = logging.getLogger(__name__)

FIRST_RUN_SECONDS = 300
INTERVAL_SECONDS = 24 * 3600


def describe(counts: retention.PurgeCounts, days: int, dry_run: bool) -> str:
    """One line with the counts; never an id."""
    verb = "would remove" if dry_run else "removed"
    return (
        f"purge ({days} days after the last activity): {verb} the Telegram and chat ids of"
        f" {counts.people} people, {counts.response_links} invitation links on responses,"
        f" {counts.pending_links} pending invitation links, {counts.broadcast_rows} broadcast"
        " recipient rows" + (" (dry run: nothing changed)" if dry_run else "")
    )


async def purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.bot_data["services"]
    settings: Settings = context.bot_data["settings"]
    days = settings.privacy.retention_days
    counts = await retention.purge(services.store, retention.cutoff(days))
    log.info("%s", describe(counts, days, dry_run=False))


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    queue = application.job_queue
    if queue is not None:
        queue.run_repeating(
            purge_job, interval=INTERVAL_SECONDS, first=FIRST_RUN_SECONDS, name="privacy-purge"
        )


def _purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="count what would be removed, change nothing"
    )


@command(
    "purge",
    "remove Telegram ids, chat ids and invitation links of people inactive for"
    " [privacy] retention_days (keeps pseudonyms and answers)",
    _purge_arguments,
)
def purge(settings: Settings, args: argparse.Namespace) -> int:
    from storage.store import Store

    database = settings.storage.database
    if not database.exists():
        raise ConfigError(f"storage.database: no database at {database}")
    days = settings.privacy.retention_days

    async def run() -> retention.PurgeCounts:
        store = await Store.open(database)
        try:
            return await retention.purge(store, retention.cutoff(days), dry_run=args.dry_run)
        finally:
            await store.close()

    counts = asyncio.run(run())
    print(describe(counts, days, args.dry_run), file=sys.stdout)
    return 0
