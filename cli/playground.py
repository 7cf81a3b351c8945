"""``scorecard-bot playground``: the bot and a local Telegram in one command, no token.

The local Bot API server (``localbotapi``) runs in a background thread and serves
a chat page; the bot runs in the foreground against it, exactly as it would against
Telegram. A coordinator previews a survey file this way before sending invitations.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import webbrowser
from pathlib import Path

from pydantic import SecretStr

from bot.config import ConfigError, Settings, TelegramSettings
from cli.common import command, hold_database_lock
from storage.database import highest_message_id
from survey.model import load_survey

log = logging.getLogger(__name__)

# The local server checks only the token's shape; this one can never reach Telegram.
PLAYGROUND_TOKEN = "7000000001:playground-local-only-not-a-real-token"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=8081, help="port on 127.0.0.1 (default 8081, 0: any)"
    )
    parser.add_argument(
        "--database",
        type=Path,
        default=None,
        help="SQLite file to keep the answers in (default: a temporary file)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the page's address, do not open it"
    )


def playground_settings(
    settings: Settings, base_url: str, base_file_url: str, database: Path
) -> Settings:
    """The configured settings, pointed at the local server and the chosen database."""
    telegram = TelegramSettings(
        token=SecretStr(PLAYGROUND_TOKEN), base_url=base_url, base_file_url=base_file_url
    )
    storage = settings.storage.model_copy(update={"database": database})
    return settings.model_copy(update={"telegram": telegram, "storage": storage})


@command(
    "playground",
    "try the bot in a local web chat: no token, no internet (Ctrl-C to stop)",
    _arguments,
)
def playground(settings: Settings, args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application
    from localbotapi import LocalBotApiServer

    survey = load_survey(settings.survey.file)  # a bad survey file fails before anything starts
    with tempfile.TemporaryDirectory(prefix="scorecard-playground-") as scratch:
        database = args.database or Path(scratch) / "playground.sqlite3"
        lock = hold_database_lock(database)  # not beside a bot running on that file
        # The bot's duplicate checks compare message ids: on an existing database the
        # new server numbers messages above every stored one, as Telegram would.
        server = LocalBotApiServer(
            port=args.port,
            token=PLAYGROUND_TOKEN,
            first_message_id=highest_message_id(database) + 1,
        )
        try:
            server.run_in_thread()
        except OSError as error:
            raise ConfigError(f"--port: cannot listen on 127.0.0.1:{args.port} ({error})") from None
        try:
            local = playground_settings(settings, server.base_url, server.base_file_url, database)
            application = build_application(local, survey)
            print(f"Survey:     {survey.id} {survey.version} ({len(survey.items)} indicators)")
            print(f"Database:   {database}{'' if args.database else ' (deleted on exit)'}")
            print(f"Playground: {server.playground_url}  (Ctrl-C to stop)", flush=True)
            # The chat is the point; the scheduler's chatter only hides the address.
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
            if not args.no_browser:
                webbrowser.open(server.playground_url)
            # The server is fresh: nothing to drop, and a quick first /start must not be lost.
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        finally:
            server.stop_thread()
            lock.close()
    return 0
