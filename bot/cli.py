"""``scorecard-bot``: run the bot, check the configuration, export the data.

Exit codes: 0 success, 1 runtime failure, 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, NoReturn

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from conversations.survey import SurveyFileError, load_survey

log = logging.getLogger("scorecard")

# Sub-commands: name -> (help, add arguments, run(settings, args) -> exit code)
Command = tuple[
    str, Callable[[argparse.ArgumentParser], None], Callable[[Settings, argparse.Namespace], int]
]
COMMANDS: dict[str, Command] = {}


def command(
    name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None] | None = None
):
    def decorate(
        function: Callable[[Settings, argparse.Namespace], int],
    ) -> Callable[[Settings, argparse.Namespace], int]:
        COMMANDS[name] = (help_text, arguments or (lambda _parser: None), function)
        return function

    return decorate


@command("run", "run the bot (long polling) until interrupted")
def run(settings: Settings, args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application

    settings.require_token()
    survey = load_survey(settings.survey.file)
    # The token and the Bot API first, then the lock and the database: a wrong
    # token or no network never leaves a new database behind; each fails in one line.
    asyncio.run(check_bot_api(settings))
    lock = hold_database_lock(settings.storage.database)
    try:
        asyncio.run(check_database(settings))
        application = build_application(settings, survey)
        log.info(
            "starting: survey %s %s, database %s",
            survey.id,
            survey.version,
            settings.storage.database,
        )
        with translated_start_up_errors(settings):
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    finally:
        lock.close()
    return 0


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


@command(
    "check-config",
    "validate the configuration and the survey file, then exit (no token needed)",
)
def check_config(settings: Settings, args: argparse.Namespace) -> int:
    survey = load_survey(settings.survey.file)
    drafts = survey.draft_labels()
    print(
        f"configuration OK: survey {survey.id} {survey.version} ({len(survey.items)} indicators),"
        f" database {settings.storage.database}, time zone {settings.timezone}"
    )
    if settings.telegram.token is None:
        print(
            "warning: telegram.token is not set (set TELEGRAM_BOT_TOKEN): needed to run the bot",
            file=sys.stderr,
        )
    if drafts:
        print(f"{len(drafts)} draft translations still need review, for example: {drafts[0]}")
    return 0


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["csv", "opensdg"],
        default="csv",
        help="csv (default): every rating; opensdg: mean ratings in the Open SDG data"
        " format, one file per indicator, into the folder --out",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="file to write ('-' for standard output)"
    )
    parser.add_argument(
        "--anonymise",
        action="store_true",
        help="csv only: a file safe to share: every combination of profile answers shared by"
        " at least digest.min_cell respondents (values withheld as '*'), dates to the month,"
        " new respondent ids; what changed goes to stderr",
    )


@command("export", "export every rating as a tidy CSV (pseudonymous ids only)", _export_arguments)
def export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.export import write_ratings_csv

    if args.anonymise and args.format != "csv":
        raise ConfigError("--anonymise: only with --format csv")
    if args.format == "opensdg":
        from bot.digest.cli import export_opensdg

        code = export_opensdg(settings, args.out)
        audit_export(settings, f"opensdg out={args.out}")
        return code
    survey = load_survey(settings.survey.file)
    database = settings.storage.database
    if not database.exists():
        raise ConfigError(f"storage.database: no database at {database}")
    fields = [q.id for q in survey.profile]
    k = settings.digest.min_cell

    def write(out: IO[str]) -> str:
        if not args.anonymise:
            return f"wrote {write_ratings_csv(database, out, survey.id, fields)} ratings"
        from storage.anonymise import write_anonymised_csv

        summary = write_anonymised_csv(database, out, survey.id, fields, k)
        return "\n".join(summary.lines())

    if str(args.out) == "-":
        report = write(sys.stdout)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as out:
            report = write(out)
    what = "csv anonymised" if args.anonymise else "csv full"
    audit_export(settings, f"{what} out={args.out}")
    if args.anonymise or str(args.out) != "-":
        print(report + ("" if str(args.out) == "-" else f" (to {args.out})"), file=sys.stderr)
    return 0


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


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, exit 2, as every other configuration error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    import bot.features  # noqa: F401  (registers the features' sub-commands)

    main_parser = OneLineParser(prog="scorecard-bot", description=__doc__.splitlines()[0])
    main_parser.add_argument(
        "--config", type=Path, default=None, help="config file (default ./config.toml when present)"
    )
    sub = main_parser.add_subparsers(dest="command", required=True)
    for name, (help_text, arguments, _function) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        sub_parser.add_argument(
            "--config", type=Path, default=argparse.SUPPRESS, help="config file"
        )
        arguments(sub_parser)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        token = settings.telegram.token
        configure_logging(settings.log_level, [token.get_secret_value()] if token else [])
        return COMMANDS[args.command][2](settings, args)
    except (ConfigError, SurveyFileError) as error:
        print(f"scorecard-bot: configuration error: {error}", file=sys.stderr)
        return 2
    except NetworkUnreachable as error:
        print(f"scorecard-bot: {error}", file=sys.stderr)
        return 1
