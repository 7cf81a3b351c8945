"""Reminders to coordinators before an action's due date: seven days before and on
the day (each once per coordinator), to every active coordinator whose scope holds
the action, never in quiet hours (``[outreach] quiet_hours``)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application

from bot.admin.reminders import is_quiet
from bot.config import Settings
from bot.context import Context
from bot.coordinator.actions import visible
from bot.coordinator.commands import Access
from conversations.services import Services
from locales.i18n import translator
from reporting.digest.scope import scope_from_json
from storage import actions, digests

log = logging.getLogger(__name__)
DAYS_BEFORE = (7, 0)
INTERVAL_SECONDS = 3600


def _reminder(language: str, action: actions.Action, days: int) -> str:
    _ = translator(language)
    if days <= 0:
        text = _("Action #{id} is due today: {agreed} ({organisation}).")
    else:
        text = _("Action #{id} is due in {days} days, on {due}: {agreed} ({organisation}).")
    return (
        text.format(
            id=action.id,
            days=days,
            due=action.due_on,
            agreed=action.agreed,
            organisation=action.organisation,
        )
        + "\n"
        + _("Open /actions to mark it in progress, done or dropped.")
    )


async def send_due_reminders(application: Application, now: datetime | None = None) -> int:  # type: ignore[type-arg]
    settings: Settings = application.bot_data.settings
    services: Services = application.bot_data.services
    now = now or datetime.now(UTC)
    if is_quiet(settings, now):
        return 0
    today = now.astimezone(settings.zone).date()
    last = date.fromordinal(today.toordinal() + max(DAYS_BEFORE)).isoformat()
    due = await actions.open_actions_due_by(services.store, last)
    coordinators = [c for c in await digests.list_coordinators(services.store) if c.active]
    sent = 0
    for action in due:
        left = date.fromisoformat(action.due_on).toordinal() - today.toordinal()
        threshold = next((d for d in sorted(DAYS_BEFORE) if left <= d), None)
        if threshold is None or left < 0:
            continue  # overdue actions are in /actions; a reminder was sent on the day
        for coordinator in coordinators:
            access = Access(scope_from_json(coordinator.scope), coordinator.language)
            if not visible(access, action):
                continue
            if not await actions.claim_reminder(
                services.store, action.id, coordinator.telegram_id, threshold
            ):
                continue
            try:
                await application.bot.send_message(
                    coordinator.telegram_id, _reminder(coordinator.language, action, left)
                )
                sent += 1
            except Forbidden:
                await digests.set_active(services.store, coordinator.telegram_id, False)
            except TelegramError as error:
                log.warning("due-date reminder not sent: %s", error.message)
    return sent


async def due_job(context: Context) -> None:
    await send_due_reminders(context.application)
