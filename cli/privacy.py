"""``scorecard-bot purge`` (the retention purge) and ``privacy audit``."""

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


def _privacy_arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="privacy_command", required=True, metavar="audit")
    audited = verbs.add_parser(
        "audit",
        help="run the project's attacks on every output a scope can obtain; exit 1 on a leak",
    )
    audited.add_argument(
        "--scope",
        default=None,
        help="a coordinator's scope, e.g. region=north (default: everything an admin can see)",
    )


@command(
    "privacy",
    "privacy checks: 'audit' tries to derive hidden numbers from every output",
    _privacy_arguments,
)
def privacy(settings: Settings, args: argparse.Namespace) -> int:
    import time

    from bot.config import ConfigError
    from reporting.audit import audit
    from reporting.digest.scope import ScopeError, parse_scope
    from survey.model import load_survey

    database = existing_database(settings)
    survey = load_survey(settings.survey.file)
    scope = None
    if args.scope is not None:
        try:
            scope = parse_scope(args.scope, survey)
        except ScopeError as error:
            raise ConfigError(f"--scope: {error}") from None
    started = time.perf_counter()
    report = audit(database, survey, settings.disclosure.k, scope)
    for line in report.lines():
        print(line, file=sys.stdout)
    print(f"audit took {time.perf_counter() - started:.1f} s", file=sys.stdout)
    return 1 if report.findings else 0
