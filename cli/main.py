"""``scorecard-bot``: run the bot, check the configuration, export the data.

The coordinators' and admins' other sub-commands too: :data:`COMMANDS` lists
every one, in the order ``--help`` shows them.

Exit codes: 0 success, 1 runtime failure, 2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from bot.config import ConfigError, load_settings
from bot.logs import configure_logging
from cli import (
    actions,
    backups,
    database,
    digest,
    export,
    meeting,
    outreach,
    paper,
    playground,
    privacy,
    publish,
    rounds,
    run,
    serve,
    survey,
)
from cli.common import Command, NetworkUnreachable
from storage.database import DatabaseUnavailable
from survey.model import SurveyFileError

COMMANDS: tuple[Command, ...] = (
    run.run,
    serve.serve,
    run.check_config,
    export.export,
    backups.backup_command,
    backups.restore_command,
    database.db_command,
    *digest.COMMANDS,
    meeting.meeting_command,
    actions.actions_command,
    *outreach.COMMANDS,
    *publish.COMMANDS,
    paper.paper,
    playground.playground,
    privacy.purge,
    privacy.privacy,
    rounds.round_command,
    survey.survey,
)

BY_NAME = {entry.name: entry for entry in COMMANDS}


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line on stderr, exit 2, as every other configuration error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    main_parser = OneLineParser(prog="scorecard-bot", description=__doc__.splitlines()[0])
    main_parser.add_argument(
        "--config", type=Path, default=None, help="config file (default ./config.toml when present)"
    )
    sub = main_parser.add_subparsers(dest="command", required=True)
    for entry in COMMANDS:
        sub_parser = sub.add_parser(entry.name, help=entry.help)
        sub_parser.add_argument(
            "--config", type=Path, default=argparse.SUPPRESS, help="config file"
        )
        entry.arguments(sub_parser)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        token = settings.telegram.token
        configure_logging(settings.log_level, [token.get_secret_value()] if token else [])
        return BY_NAME[args.command](settings, args)
    except (ConfigError, SurveyFileError) as error:
        print(f"scorecard-bot: configuration error: {error}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:  # any command that opens the database
        print(f"scorecard-bot: configuration error: storage.database: {error}", file=sys.stderr)
        return 2
    except NetworkUnreachable as error:
        print(f"scorecard-bot: {error}", file=sys.stderr)
        return 1
