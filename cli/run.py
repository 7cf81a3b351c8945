"""``scorecard-bot run`` and ``check-config``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import Settings
from cli.common import (
    check_bot_api,
    check_database,
    command,
    hold_database_lock,
    log,
    translated_start_up_errors,
)
from storage.dialect import describe
from survey.model import load_survey


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
            describe(settings.storage.database),
        )
        with translated_start_up_errors(settings):
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    finally:
        lock.close()
    return 0


@command(
    "check-config",
    "validate the configuration and the survey file, then exit (no token needed)",
)
def check_config(settings: Settings, args: argparse.Namespace) -> int:
    survey = load_survey(settings.survey.file)
    drafts = survey.draft_labels()
    print(
        f"configuration OK: survey {survey.id} {survey.version} ({len(survey.items)} indicators),"
        f" database {describe(settings.storage.database)}, time zone {settings.timezone}"
    )
    if settings.telegram.token is None:
        print(
            "warning: telegram.token is not set (set TELEGRAM_BOT_TOKEN): needed to run the bot",
            file=sys.stderr,
        )
    if drafts:
        print(f"{len(drafts)} draft translations still need review, for example: {drafts[0]}")
    return 0


