"""``scorecard-bot``: run the bot, check the configuration, export the data.

Exit codes: 0 success, 1 runtime failure, 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

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
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application

    settings.require_token()
    survey = load_survey(settings.survey.file)
    application = build_application(settings, survey)
    log.info(
        "starting: survey %s %s, database %s", survey.id, survey.version, settings.storage.database
    )
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except InvalidToken:
        raise ConfigError(
            "telegram.token: rejected by the Bot API server (check the token)"
        ) from None
    except NetworkError as error:
        # Answers already stored are safe; the bot simply cannot start talking.
        print(
            f"scorecard-bot: cannot reach the Bot API at {settings.telegram.base_url}: {error}",
            file=sys.stderr,
        )
        return 1
    return 0


@command("check-config", "validate the configuration and the survey file, then exit")
def check_config(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_token()
    survey = load_survey(settings.survey.file)
    drafts = survey.draft_labels()
    print(
        f"configuration OK: survey {survey.id} {survey.version} ({len(survey.items)} indicators),"
        f" database {settings.storage.database}, time zone {settings.timezone}"
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


@command("export", "export every rating as a tidy CSV (pseudonymous ids only)", _export_arguments)
def export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.export import write_ratings_csv

    if args.format == "opensdg":
        from bot.digest.cli import export_opensdg

        return export_opensdg(settings, args.out)
    survey = load_survey(settings.survey.file)
    database = settings.storage.database
    if not database.exists():
        raise ConfigError(f"storage.database: no database at {database}")
    fields = [q.id for q in survey.profile]
    if str(args.out) == "-":
        count = write_ratings_csv(database, sys.stdout, survey.id, fields)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as out:
            count = write_ratings_csv(database, out, survey.id, fields)
        print(f"wrote {count} ratings to {args.out}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    import bot.features  # noqa: F401  (registers the features' sub-commands)

    main_parser = argparse.ArgumentParser(prog="scorecard-bot", description=__doc__.splitlines()[0])
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
