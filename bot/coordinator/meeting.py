"""/meeting: the interface meeting pack of the caller's scope, as two files (PDF, XLSX)."""

from __future__ import annotations

import asyncio

from telegram import InputFile, Update
from telegram.constants import ChatAction

from bot.config import Settings
from bot.context import Context
from bot.coordinator.actions import visible
from bot.coordinator.commands import Access, coordinator_only
from bot.coordinator.delivery import official_overrides
from conversations.services import Services
from locales.i18n import translator
from reporting.digest.scope import scope_label
from reporting.meeting.build import build_pack
from storage import actions


@coordinator_only
async def meeting_command(update: Update, context: Context, access: Access) -> None:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    chat = update.effective_chat
    assert chat is not None
    _ = translator(access.language)
    await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_DOCUMENT)
    listed = [a for a in await actions.list_actions(services.store) if visible(access, a)]
    label = scope_label(services.survey, access.scope, access.language, _("everything"))
    pack = await asyncio.to_thread(
        build_pack, settings.storage.database, services.survey, access.scope, access.language,
        settings.disclosure.k, label, listed, official_overrides(settings),
    )  # fmt: skip
    pdf_name, xlsx_name = pack.names()
    caption = _(
        "The interface meeting pack: print the PDF; the XLSX holds the same tables and the"
        " action plan to fill in (/actions, or scorecard-bot actions import)."
    )
    await context.bot.send_document(chat.id, InputFile(pack.pdf, filename=pdf_name), caption=caption)
    await context.bot.send_document(chat.id, InputFile(pack.workbook, filename=xlsx_name))
