"""Invitations and outreach: partner links and QR posters, broadcasts, reminders, /stop.

``register`` adds the handlers and jobs; importing :mod:`bot.outreach.cli`
adds the ``invite``, ``invites``, ``revoke`` and ``broadcast`` sub-commands.
"""

from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.outreach import cli as _cli  # noqa: F401  (registers the sub-commands)
from bot.outreach import commands, reminders
from bot.outreach.broadcasting import resume_unfinished
from bot.outreach.callbacks import PATTERN

PRIVATE = filters.ChatType.PRIVATE
# Before the journey (group 0): its catch-all callback handler would refuse
# ``o1|`` buttons, and /start must clear an opt-out before the journey greets.
EARLY = -1


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    application.add_handler(
        CallbackQueryHandler(commands.on_outreach_button, pattern=PATTERN), EARLY
    )
    application.add_handler(CommandHandler("start", commands.opt_back_in, filters=PRIVATE), EARLY)
    application.add_handler(CommandHandler("stop", commands.stop, filters=PRIVATE))
    application.add_handler(CommandHandler("invite", commands.invite, filters=PRIVATE))
    application.add_handler(CommandHandler("invites", commands.list_invites, filters=PRIVATE))
    application.add_handler(CommandHandler("revoke", commands.revoke, filters=PRIVATE))
    application.add_handler(
        CommandHandler("broadcast", commands.broadcast_command, filters=PRIVATE)
    )
    application.add_handler(
        MessageHandler(
            PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/broadcast(@\w+)?(\s|$)"),
            commands.broadcast_csv,
        )
    )
    application.add_handler(CommandHandler("audit", commands.audit_command, filters=PRIVATE))
    queue = application.job_queue
    if queue is not None:
        queue.run_once(resume_unfinished, when=1, name="outreach-resume-broadcasts")
        minutes = settings.outreach.reminder_check_minutes
        queue.run_repeating(
            reminders.reminder_job, interval=minutes * 60, first=60, name="outreach-reminders"
        )
