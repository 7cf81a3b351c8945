"""Facilitators (issue 11): facilitated interviews and group scoring sessions.

``register`` adds /facilitator (admins), /interview and /session
(facilitators), the interview consent and session buttons, and the typed
answers of a session; config facilitators are copied into the database when
the application opens.
"""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.config import Settings
from bot.facilitation import commands
from conversations import interviews, sessions

PRIVATE = filters.ChatType.PRIVATE
# Before the journey (group 0), whose catch-all callback handler would refuse
# these buttons and whose text handler would take a session's typed answers.
EARLY = -1


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    application.bot_data.setdefault("on_open", []).append(commands.sync_config)
    application.add_handler(
        CallbackQueryHandler(commands.on_consent_button, pattern=interviews.PATTERN), EARLY
    )
    application.add_handler(
        CallbackQueryHandler(commands.on_session_button, pattern=sessions.PATTERN), EARLY
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, commands.on_session_text), EARLY
    )
    application.add_handler(
        MessageHandler(PRIVATE & filters.VOICE, commands.on_session_voice), EARLY
    )
    application.add_handler(
        CommandHandler("facilitator", commands.facilitator_command, filters=PRIVATE)
    )
    application.add_handler(
        CommandHandler("interview", commands.interview_command, filters=PRIVATE)
    )
    application.add_handler(CommandHandler("session", commands.session_command, filters=PRIVATE))
