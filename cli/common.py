"""What every ``scorecard-bot`` sub-command shares: the command type, start-up checks,
the database lock and the export audit line.

Exit codes: 0 success, 1 runtime failure, 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.config import ConfigError, Settings
from storage.dialect import is_postgres

log = logging.getLogger("scorecard")

Run = Callable[[Settings, argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True, slots=True)
class Command:
    """One sub-command: ``cli.main.COMMANDS`` lists them all, in the order of ``--help``."""

    name: str
    help: str
    arguments: Arguments
    run: Run

    def __call__(self, settings: Settings, args: argparse.Namespace) -> int:
        return self.run(settings, args)


def command(name: str, help_text: str, arguments: Arguments | None = None) -> Callable[[Run], Command]:
    """Make ``function`` a :class:`Command` (it registers nothing: main lists it)."""

    def decorate(function: Run) -> Command:
        return Command(name, help_text, arguments or (lambda _parser: None), function)

    return decorate


def existing_database(settings: Settings) -> Path:
    """The configured database, which a command that reads or copies it needs to exist
    (it must never create an empty one): :class:`ConfigError` naming the setting."""
    database = settings.storage.database
    if is_postgres(database):
        return database  # type: ignore[return-value]  # a server: opening it tells
    if not database.exists():
        raise ConfigError(f"storage.database: no database at {database}")
    return database


def hold_database_lock(database: Path) -> IO[str]:
    """The process-long lock that keeps a second bot off this database."""
    from storage.lock import DatabaseInUse, acquire

    try:
        return acquire(database)
    except DatabaseInUse as error:
        raise ConfigError(f"storage.database: {error}") from None
    except OSError as error:
        raise ConfigError(
            f"storage.database: cannot create a lock file next to {database}: {error.strerror}"
        ) from None


async def check_bot_api(settings: Settings) -> None:
    """getMe with the configured token: :class:`ConfigError` for a rejected token,
    :class:`NetworkUnreachable` when the Bot API cannot be reached."""
    from telegram import Bot

    bot = Bot(
        settings.require_token(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
    )
    with translated_start_up_errors(settings):
        try:
            await bot.initialize()
        finally:
            with contextlib.suppress(Exception):
                await bot.shutdown()


async def check_database(settings: Settings) -> None:
    """Open, migrate and write-test the database; :class:`ConfigError` when it cannot be used."""
    from storage.store import Store

    with translated_start_up_errors(settings):
        store = await Store.open(settings.storage.database)
        await store.close()


@contextlib.contextmanager
def translated_start_up_errors(settings: Settings) -> Iterator[None]:
    """Start-up failures as one line: ConfigError (exit 2) or NetworkUnreachable (exit 1)."""
    from telegram.error import InvalidToken, NetworkError

    from storage.database import DatabaseUnavailable

    try:
        yield
    except InvalidToken:
        raise ConfigError(
            "telegram.token: rejected by the Bot API server (check the token)"
        ) from None
    except NetworkError as error:
        # Answers already stored are safe; the bot simply cannot start talking.
        log.debug("the Bot API cannot be reached", exc_info=error)
        raise NetworkUnreachable(
            f"cannot reach the Bot API at {settings.telegram.base_url}: {error}"
        ) from None
    except DatabaseUnavailable as error:
        raise ConfigError(f"storage.database: {error}") from None


class NetworkUnreachable(Exception):
    """The Bot API server cannot be reached: exit 1, one line."""


def audit_export(settings: Settings, detail: str) -> None:
    """Every export goes to the audit table: who (actor 0, the command line, and the
    system user), what and when; the same table as the admins' chat commands."""
    import getpass

    from storage import audit

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"

    audit.record_now(settings.storage.database, 0, "export", f"{detail} user={user}", "ok (cli)")


