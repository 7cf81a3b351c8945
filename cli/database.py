"""``scorecard-bot db copy --to postgresql://...``: move a deployment from SQLite to
PostgreSQL, every row and a checksum per table compared (storage.copy)."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import ConfigError, Settings
from cli.common import check_database, command, existing_database
from storage.dialect import PostgresURL, is_postgres


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="copy")
    copying = verbs.add_parser(
        "copy", help="copy the SQLite database into an empty PostgreSQL database"
    )
    copying.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://user:password@host/database"
    )


@command("db", "copy the SQLite database into an empty PostgreSQL one (db copy --to URL)", _arguments)
def db_command(settings: Settings, args: argparse.Namespace) -> int:
    from storage.copy import TargetNotEmpty, copy_to_postgres
    from storage.database import DatabaseUnavailable, database_errors

    source = settings.storage.database
    if is_postgres(source):
        raise ConfigError("storage.database: db copy reads a SQLite file; this is PostgreSQL")
    if not is_postgres(args.to):
        raise ConfigError(f"--to: {args.to!r} is not a postgresql:// URL")
    target = PostgresURL(args.to)
    existing_database(settings)
    asyncio.run(check_database(settings))  # the source at this bot's schema version
    target_settings = settings.model_copy(
        update={"storage": settings.storage.model_copy(update={"database": target})}
    )
    try:
        asyncio.run(check_database(target_settings))  # connects, migrates, write-tests
        tables = copy_to_postgres(source, str(target))
    except TargetNotEmpty as error:
        raise ConfigError(f"--to: {error}; nothing was copied") from None
    except DatabaseUnavailable as error:
        raise ConfigError(f"--to: {error}") from None
    except database_errors() as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(f"--to: the copy failed and was rolled back: {first}") from None
    width = max(len(t.table) for t in tables)
    print(f"{'table':<{width}}  {'sqlite rows':>11}  {'postgresql rows':>15}  checksums")
    for t in tables:
        mark = "same" if t.same else "DIFFERENT"
        print(
            f"{t.table:<{width}}  {t.source_rows:>11}  {t.target_rows:>15}"
            f"  {t.source_checksum} {t.target_checksum} {mark}"
        )
    different = [t.table for t in tables if not t.same]
    if different:
        print(f"the copy differs in {', '.join(different)}")
        return 1
    print(f"copied {sum(t.source_rows for t in tables)} rows of {len(tables)} tables"
          f" from {source} to {target.redacted}: every table the same")
    return 0
