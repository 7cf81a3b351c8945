"""``scorecard-bot purge``: the retention purge from the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.admin.privacy import describe
from bot.config import Settings
from cli.common import command, existing_database
from storage import retention


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

    database = existing_database(settings)
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
