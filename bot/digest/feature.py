"""The digest feature's entry point for ``bot.features``."""

from __future__ import annotations

from telegram.ext import Application

import bot.digest.cli  # noqa: F401  (registers the CLI sub-commands)
from bot.config import Settings
from bot.digest import commands
from conversations import results


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    commands.register(application)
    results.register(application)
