"""Every handler the bot has, in the order python-telegram-bot tries them.

This is the one place that says what happens to an update. PTB runs the
groups in ascending order and, inside a group, the first handler whose
filters match; a handler that raises ``ApplicationHandlerStop`` ends the
update there. So, for any update, read this table from the top:

1. :data:`FRONT` — the front guard (``bot.guards.gate``) sees every update:
   edited messages, channel posts, group chats and presses from outside a
   private chat stop here and nothing is stored.
2. :data:`GUARDIAN` — a guardian opening a child's consent link
   (``/start g<token>``) and the guardian's buttons (``gc1|``); a guardian
   must never become a respondent, so this comes before anything that
   creates a user.
3. :data:`EARLY` — flows with their own callback prefixes that the
   respondent journey would otherwise take: outreach buttons (``o1|``),
   /start clearing an opt-out (it does not stop the update, so the journey
   still greets), the facilitator's interview consent (``i1|``),
   group-session buttons (``g1|``), and a coordinator's action-plan buttons
   (``a1|``) and typed answers while entering an action.
4. :data:`JOURNEY` — the respondent's commands and inputs, then every
   coordinator, admin and facilitator command, then the fallbacks: an
   unknown command, and any other message (photo, sticker, …). Every
   respondent input (button, text, voice note, anything else) passes the one
   gate, ``conversations.gate``, through ``bot.respondent.inputs``; while a
   facilitator's chat is on a group session, the gate hands their text and
   voice notes to the session (the handlers given as ``session=`` below),
   known from the state query that every input makes anyway.

Jobs (digests, reminders, backups, the retention purge) are listed in
:func:`schedule_jobs`. To add a command: write the handler in the package
of its audience (``bot.respondent``, ``bot.coordinator``, ``bot.admin``,
``bot.facilitator``) and add one line here.
"""

from __future__ import annotations

from datetime import time as clock
from functools import partial

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import guards
from bot.admin import backups, broadcasting, outreach, privacy, reminders
from bot.config import Settings
from bot.coordinator import actions as action_plan
from bot.coordinator import commands as coordinator
from bot.coordinator import delivery as digests
from bot.coordinator import due as due_dates
from bot.coordinator import followup
from bot.coordinator import meeting as meeting_pack
from bot.facilitator import commands as facilitator
from bot.respondent import guardian, handlers, inputs, results
from conversations import callbacks

FRONT = -100
GUARDIAN = -2
EARLY = -1
JOURNEY = 0

PRIVATE = filters.ChatType.PRIVATE
BROADCAST_CSV = PRIVATE & filters.Document.ALL & filters.CaptionRegex(r"^/broadcast(@\w+)?(\s|$)")


def _command(name: str, callback, extra: filters.BaseFilter | None = None) -> CommandHandler:  # type: ignore[no-untyped-def, type-arg]
    return CommandHandler(name, callback, filters=PRIVATE & extra if extra else PRIVATE)


def routes() -> list[tuple[int, BaseHandler]]:  # type: ignore[type-arg]
    """(group, handler) in the order they are tried."""
    return [
        (FRONT, TypeHandler(Update, guards.gate)),
        # -- guardians of children -------------------------------------------
        (GUARDIAN, _command("start", guardian.open_link, guardian.START_WITH_TOKEN)),
        (
            GUARDIAN,
            CallbackQueryHandler(guardian.on_guardian_button, pattern=callbacks.GUARDIAN.pattern),
        ),
        # -- flows with their own buttons and typed input --------------------
        (
            EARLY,
            CallbackQueryHandler(outreach.on_outreach_button, pattern=callbacks.OUTREACH.pattern),
        ),
        (EARLY, _command("start", outreach.opt_back_in)),
        (EARLY, CallbackQueryHandler(facilitator.on_consent_button, pattern=callbacks.INTERVIEW.pattern)),
        (EARLY, CallbackQueryHandler(facilitator.on_session_button, pattern=callbacks.SESSION.pattern)),
        (EARLY, CallbackQueryHandler(action_plan.on_actions_button, pattern=callbacks.ACTIONS.pattern)),
        (EARLY, MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, action_plan.on_draft_text)),
        # -- respondents -----------------------------------------------------
        (JOURNEY, _command("start", handlers.start)),
        (JOURNEY, _command("resume", handlers.resume)),
        (JOURNEY, _command("language", handlers.language_command)),
        (JOURNEY, _command("help", handlers.help_command)),
        (JOURNEY, _command("mydata", handlers.mydata)),
        (JOURNEY, _command("delete", handlers.delete_command)),
        (JOURNEY, CallbackQueryHandler(inputs.on_button)),
        (JOURNEY, ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)),
        (
            JOURNEY,
            MessageHandler(
                PRIVATE & filters.TEXT & ~filters.COMMAND,
                partial(inputs.on_text, session=facilitator.on_session_text),
            ),
        ),
        (
            JOURNEY,
            MessageHandler(
                PRIVATE & filters.VOICE,
                partial(inputs.on_voice, session=facilitator.on_session_voice),
            ),
        ),
        (JOURNEY, _command("stop", outreach.stop)),
        (JOURNEY, _command("results", results.results_command)),
        # -- admins ----------------------------------------------------------
        (JOURNEY, _command("invite", outreach.invite)),
        (JOURNEY, _command("invites", outreach.list_invites)),
        (JOURNEY, _command("revoke", outreach.revoke)),
        (JOURNEY, _command("broadcast", outreach.broadcast_command)),
        (JOURNEY, MessageHandler(BROADCAST_CSV, outreach.broadcast_csv)),
        (JOURNEY, _command("audit", outreach.audit_command)),
        (JOURNEY, _command("facilitator", facilitator.facilitator_command)),
        (JOURNEY, _command("guardian", guardian.guardian_command)),
        # -- coordinators ----------------------------------------------------
        (JOURNEY, _command("digest", coordinator.digest_command)),
        (JOURNEY, _command("export", coordinator.export_command)),
        (JOURNEY, _command("coordinator", coordinator.coordinator_command)),
        (JOURNEY, _command("actions", action_plan.actions_command)),
        (JOURNEY, _command("meeting", meeting_pack.meeting_command)),
        # -- facilitators ----------------------------------------------------
        (JOURNEY, _command("interview", facilitator.interview_command)),
        (JOURNEY, _command("session", facilitator.session_command)),
        # -- last: anything else ---------------------------------------------
        (JOURNEY, MessageHandler(PRIVATE & filters.COMMAND, handlers.unknown_command)),
        (
            JOURNEY,
            MessageHandler(PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, inputs.on_other),
        ),
    ]


def schedule_jobs(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Every job the bot runs on its own: restart catch-ups first, then the repeating ones."""
    queue = application.job_queue
    if queue is None:
        return
    queue.run_once(broadcasting.resume_unfinished, when=1, name="outreach-resume-broadcasts")
    queue.run_once(digests.run_restore, when=1, name="digest:restore")
    queue.run_repeating(
        reminders.reminder_job,
        interval=settings.outreach.reminder_check_minutes * 60,
        first=60,
        name="outreach-reminders",
    )
    queue.run_repeating(
        followup.followup_job,
        interval=followup.INTERVAL_SECONDS,
        first=120,
        name="action-notices",
    )
    queue.run_repeating(
        due_dates.due_job, interval=due_dates.INTERVAL_SECONDS, first=180, name="action-due-dates"
    )
    queue.run_repeating(
        privacy.purge_job,
        interval=privacy.INTERVAL_SECONDS,
        first=privacy.FIRST_RUN_SECONDS,
        name="privacy-purge",
    )
    options = settings.backup
    if options.folder is not None:
        hours, minutes = map(int, options.time.split(":"))
        queue.run_daily(
            backups.daily_job,
            time=clock(hours, minutes, tzinfo=settings.zone),
            name=backups.JOB_NAME,
        )
        # A laptop that was off (or a bot stopped) at that time still gets today's copy.
        queue.run_once(
            backups.catch_up_job, when=backups.CATCH_UP_DELAY, name=backups.CATCH_UP_NAME
        )


def register(application: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    for group, handler in routes():
        application.add_handler(handler, group)
    application.add_error_handler(guards.on_error)
    schedule_jobs(application, settings)
