"""What every handler and job shares, typed: ``context.bot_data`` is a :class:`BotData`.

python-telegram-bot builds it through ``ContextTypes(bot_data=BotData)``
(:data:`CONTEXT_TYPES`), so handlers read ``context.bot_data.services`` or
``context.bot_data.settings`` with their types instead of untyped dict keys.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from conversations.services import Services
from reporting.disclosure import Disclosure
from survey.model import Survey

if TYPE_CHECKING:
    from bot.admin.delivery import Pacer
    from bot.webhook.cluster import Cluster


class BotData:
    """Settings and survey from start-up; services (the open database) while running."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._survey: Survey | None = None
        self.survey_text: str | None = None  # the running survey file, kept as a version
        self.open_services: Services | None = None  # None until the database is open
        self.group_noted_at: dict[int, float] = {}  # group chat id -> last "private only" line
        self.storage_failure_noted_at: float | None = None  # last note to the admins
        # Digests being sent right now, (chat, schedule): a slow send is never doubled.
        self.digests_in_flight: set[tuple[int, str]] = set()
        # Outreach: running broadcast tasks by id, and one send budget for all sends.
        self.broadcast_tasks: dict[int, asyncio.Task[dict[str, int]]] = {}
        self.pacer: Pacer | None = None
        # Webhook mode only (``serve``): this worker among the others; None for ``run``.
        self.cluster: Cluster | None = None
        self.planned_digests: dict[int, str] = {}  # the leader's digest jobs, by coordinator
        self.webhook_forgot_at: float = 0.0
        # Webhook mode: updates whose handlers may run again once if PostgreSQL
        # refuses their transaction as a deadlock (bot.guards, bot.webhook.cluster),
        # and those refused so, to run again.
        self.may_run_again: set[int] = set()
        self.run_again: set[int] = set()

    def start(self, settings: Settings, survey: Survey) -> None:
        self._settings, self._survey = settings, survey

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("the application was not built by bot.app.build_application")
        return self._settings

    @property
    def survey(self) -> Survey:
        if self._survey is None:
            raise RuntimeError("the application was not built by bot.app.build_application")
        return self._survey

    @property
    def disclosure(self) -> Disclosure:
        return self.settings.disclosure

    @property
    def services(self) -> Services:
        if self.open_services is None:
            raise RuntimeError("the database is not open (Application.initialize opens it)")
        return self.open_services


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
CONTEXT_TYPES: ContextTypes[Context, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(
    bot_data=BotData
)
ScorecardApp = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]
]
