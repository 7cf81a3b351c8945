"""``/results``: how people like the respondent rated each goal, once they have submitted."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.constants import ParseMode

from bot.context import Context
from conversations.services import Services
from locales.i18n import translator
from reporting.results import message_parts, results_text
from storage import users


async def results_command(update: Update, context: Context) -> None:
    services: Services = context.bot_data.services
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    stored = await users.get_user(services.store, user.id)
    language = (stored.language if stored else None) or services.default_language
    _ = translator(language)
    k = context.bot_data.settings.disclosure.k
    text = await asyncio.to_thread(
        results_text,
        str(services.store.path),
        services.survey,
        user.id,
        language,
        k,
        context.bot_data.settings.publish.url,
    )
    if text is None:
        await context.bot.send_message(
            chat.id, _("You will see the results here after you submit your answers.")
        )
        return
    for part in message_parts(text):
        await context.bot.send_message(chat.id, part, parse_mode=ParseMode.HTML)
