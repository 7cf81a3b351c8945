"""Closing the loop: respondents who opted in hear when an action on something they
rated in their place is agreed or done. Never naming anyone; at most one message
a day per person (``RATE_HOURS``), none in quiet hours (``[outreach] quiet_hours``):
those wait for the hourly job. /stop and /delete end it (``storage.followup``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.admin.reminders import is_quiet
from bot.config import Settings
from bot.context import Context
from conversations.services import Services
from locales.i18n import translator
from storage import actions, followup, users
from storage.actions import Action

log = logging.getLogger(__name__)
RATE_HOURS = 24
INTERVAL_SECONDS = 3600


def notice_text(language: str, survey, action: Action, event: str) -> str:  # type: ignore[no-untyped-def]
    _ = translator(language)
    statements = [
        f"“{survey.item_by_code[code][1].label(language)}”"
        for code in action.codes
        if code in survey.item_by_code
    ]
    said = "; ".join(statements[:2])
    if event == "done":
        text = _(
            "An action on what you scored is done. You and others rated: {said}. {organisation}"
            " reports done on {date}: {agreed}."
        ).format(said=said, organisation=action.organisation, date=action.done_on,
                 agreed=action.agreed)  # fmt: skip
    else:
        text = _(
            "You and others rated: {said}. At the meeting on {date}, {organisation} agreed to:"
            " {agreed}, by {due}."
        ).format(said=said, date=action.agreed_on, organisation=action.organisation,
                 agreed=action.agreed, due=action.due_on)  # fmt: skip
    return text + "\n\n" + _("Send /stop to get no more messages from the scorecard.")


async def announce(context: Context, action: Action, event: str) -> None:
    """Queue the event for everyone who opted in and rated its indicators, then send
    what may go out now."""
    services: Services = context.bot_data.services
    for person in await followup.recipients(services.store, action.id, services.survey.id):
        await followup.claim_notice(services.store, action.id, person.user_id, event)
    await send_pending(context.application)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def send_pending(application: Application, now: datetime | None = None) -> int:  # type: ignore[type-arg]
    settings: Settings = application.bot_data.settings
    services: Services = application.bot_data.services
    now = now or datetime.now(UTC)
    if is_quiet(settings, now):
        return 0
    cutoff = _iso(now - timedelta(hours=RATE_HOURS))
    told: set[int] = set()
    sent = 0
    for notice in await followup.pending(services.store):
        if notice.user_id in told or (notice.last_sent_at and notice.last_sent_at > cutoff):
            continue  # one a day: the next waits for the job
        action = await actions.get(services.store, notice.action_id)
        if action is None:
            continue
        language = notice.language or services.default_language
        try:
            await application.bot.send_message(
                notice.chat_id, notice_text(language, services.survey, action, notice.event)
            )
        except RetryAfter:
            break  # the job tries again
        except Forbidden:
            await users.mark_blocked(services.store, notice.telegram_id, True)
            continue
        except TelegramError as error:
            log.warning("action notice not sent: %s", error.message)
            continue
        await followup.mark_sent(services.store, notice.action_id, notice.user_id, notice.event)
        told.add(notice.user_id)
        sent += 1
    return sent


async def followup_job(context: Context) -> None:
    await send_pending(context.application)
