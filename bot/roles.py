"""Who may do what. Admins come from ``[access] admins``; everyone else is refused.

``admin_only`` wraps a handler: it refuses non-admins with a plain "not
allowed" (and nothing more: the refusal ends the update), and writes every admin action to the audit table
with its outcome.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.config import Settings
from bot.context import Context
from conversations.journey import suggest_language
from conversations.services import Services
from locales.i18n import translator
from storage import audit, users

log = logging.getLogger(__name__)
Handler = Callable[[Update, Context], Awaitable[Any]]


class Outcome(str):
    """Returned by an admin handler to audit an outcome other than "ok" (e.g. a rejection)."""


def is_admin(settings: Settings, telegram_id: int | None) -> bool:
    return telegram_id is not None and telegram_id in settings.access.admins


async def caller_language(context: Context, telegram_id: int, telegram_code: str | None) -> str:
    """The language they picked; else their Telegram language when it is one we offer;
    else ``default_language`` (as the README says)."""
    services: Services = context.bot_data.services
    user = await users.get_user(services.store, telegram_id)
    if user is not None and user.language:
        return user.language
    return suggest_language(telegram_code, services.default_language)


async def refuse(update: Update, context: Context) -> NoReturn:
    """Say "Not allowed." and end the update: no later handler (the journey's
    catch-all button handler, say) may see a refused press or command.

    A press delivered twice, or answered too late, cannot be answered again:
    that is no error, the refusal still stands."""
    user = update.effective_user
    _ = translator(await caller_language(context, user.id, user.language_code) if user else None)
    if update.callback_query is not None:  # a button: answer the press itself
        try:
            await update.callback_query.answer(_("Not allowed."), show_alert=True)
        except TelegramError as error:
            log.info("refused press not answered: %s", getattr(error, "message", error))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(_("Not allowed."))
    raise ApplicationHandlerStop


def admin_only(action: str) -> Callable[[Handler], Handler]:
    """Refuse non-admins; audit every admin call as ``action`` with its outcome."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def wrapper(update: Update, context: Context) -> Any:
            settings: Settings = context.bot_data.settings
            services: Services = context.bot_data.services
            user = update.effective_user
            detail = " ".join(context.args or []) if context.args is not None else ""
            if not is_admin(settings, user.id if user else None):
                await refuse(update, context)
                return None  # not reached: a refusal ends the update
            assert user is not None
            try:
                result = await handler(update, context)
            except Exception as error:
                await audit.record(
                    services.store, user.id, action, detail, f"error: {type(error).__name__}"
                )
                raise
            outcome = result if isinstance(result, Outcome) else "ok"
            await audit.record(services.store, user.id, action, detail, outcome)
            return result

        return wrapper

    return decorate
