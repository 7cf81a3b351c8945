"""Gentle reminders for paused responses: scheduled, capped, never at night.

Each reminder is counted (committed) before it is sent, so a crash can cost
a reminder but never send one twice or past the cap.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.admin.broadcasting import shared_pacer
from bot.admin.delivery import retry_seconds
from bot.config import Settings
from bot.context import Context
from conversations.callbacks import CONTINUE
from conversations.services import Services
from locales.i18n import translator
from storage import outreach, users

log = logging.getLogger(__name__)


def quiet_window(setting: str) -> tuple[time, time] | None:
    if not setting:
        return None
    start, end = setting.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def is_quiet(settings: Settings, moment: datetime) -> bool:
    """True at night in the respondents' time zone (the window may cross midnight)."""
    window = quiet_window(settings.outreach.quiet_hours)
    if window is None:
        return False
    start, end = window
    local = moment.astimezone(settings.zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def send_due(application: Application, now: datetime | None = None) -> int:  # type: ignore[type-arg]
    """Send every reminder due at ``now``; return how many went out."""
    settings: Settings = application.bot_data.settings
    services: Services = application.bot_data.services
    options = settings.outreach
    now = now or datetime.now(UTC)
    if options.reminder_max == 0 or is_quiet(settings, now):
        return 0
    cutoff = _iso(now - timedelta(days=options.reminder_after_days))
    due = await outreach.due_reminders(
        services.store, services.survey.id, cutoff, options.reminder_max
    )
    sent = 0
    pacer = shared_pacer(application)
    for reminder in due:
        if not await outreach.count_reminder(
            services.store, reminder.response_id, options.reminder_max, _iso(now)
        ):
            continue
        _ = translator(reminder.language or services.default_language)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("Continue the scorecard"), callback_data=CONTINUE)]]
        )
        text = _(
            "You started the community SDG scorecard but have not finished it yet. Your answers"
            " are saved: continue whenever you like. Send /stop to get no more reminders."
        )
        await pacer.wait_turn()
        try:
            await application.bot.send_message(reminder.chat_id, text, reply_markup=keyboard)
            sent += 1
        except RetryAfter as error:
            # Counted but not delivered: a reminder lost is better than one too many.
            pacer.pause(retry_seconds(error))
        except Forbidden:
            await users.mark_blocked(services.store, reminder.telegram_id, True)
        except TelegramError as error:
            log.warning("reminder not sent: %s", error.message)
    if sent:
        log.info("sent %d reminders", sent)
    return sent


async def reminder_job(context: Context) -> None:
    await send_due(context.application)
