"""Retention: the daily purge job (``cli.privacy`` has ``scorecard-bot purge``).

What is removed, and when, is in :mod:`storage.retention` and docs/privacy.md
("Retention"). The job runs five minutes after every start and then every 24
hours, so a bot that is restarted often still purges.
"""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.context import Context
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


async def purge_job(context: Context) -> None:
    services: Services = context.bot_data.services
    settings: Settings = context.bot_data.settings
    days = settings.privacy.retention_days
    counts = await retention.purge(services.store, retention.cutoff(days))
    log.info("%s", describe(counts, days, dry_run=False))
