"""``scorecard-bot serve``: webhook mode, N worker processes (docs/deployment.md)."""

from __future__ import annotations

import argparse
import asyncio
import os

from bot.config import ConfigError, Settings
from cli.common import (
    check_bot_api,
    check_database,
    command,
    hold_database_lock,
    log,
    translated_start_up_errors,
)
from survey.model import Survey, load_survey


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default [webhook] workers)"
    )
    parser.add_argument("--port", type=int, default=None, help="TCP port (default [webhook] port)")


@command(
    "serve",
    "run the bot as webhook workers behind a reverse proxy (see docs/deployment.md)",
    _arguments,
)
def serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from bot.webhook.asgi import CONFIG_ENV

    options = settings.webhook
    workers = args.workers if args.workers is not None else options.workers
    port = args.port if args.port is not None else options.port
    if not 1 <= workers <= 64:
        raise ConfigError("--workers: must be between 1 and 64")
    if not 1 <= port <= 65535:
        raise ConfigError("--port: must be a TCP port, 1-65535")
    settings.require_token()
    secret = options.require_secret()
    survey = load_survey(settings.survey.file)
    asyncio.run(check_bot_api(settings))
    # This process holds the lock for all its workers: `run` cannot start beside them.
    lock = hold_database_lock(settings.storage.database)
    try:
        asyncio.run(check_database(settings))
        # Before any worker takes an update (bot.app.open_default_round).
        asyncio.run(_open_default_round(settings, survey))
        if options.url is not None:
            asyncio.run(_set_webhook(settings, options.url, secret, workers))
        config = getattr(args, "config", None)
        if config is not None:
            os.environ[CONFIG_ENV] = str(config.resolve())
        log.info(
            "serving: %d worker(s) on %s:%d%s, database %s",
            workers,
            options.listen,
            port,
            options.path,
            settings.storage.database,
        )
        uvicorn.run(
            "bot.webhook.asgi:from_environment",
            factory=True,
            host=options.listen,
            port=port,
            workers=workers,
            log_level="warning",
            access_log=False,
            proxy_headers=True,
            timeout_graceful_shutdown=20,
        )
    finally:
        lock.close()
    return 0


async def _open_default_round(settings: Settings, survey: Survey) -> None:
    from bot.app import open_default_round
    from storage.store import Store

    with translated_start_up_errors(settings):
        store = await Store.open(settings.storage.database)
        try:
            await open_default_round(store, survey)
        finally:
            await store.close()


async def _set_webhook(settings: Settings, url: str, secret: str, workers: int) -> None:
    from telegram import Bot, Update

    bot = Bot(
        settings.require_token(),
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
    )
    with translated_start_up_errors(settings):
        async with bot:
            await bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=max(40, 10 * workers),
                drop_pending_updates=False,
            )
    log.info("webhook registered with Telegram: %s", url)
