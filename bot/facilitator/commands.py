"""Chat commands and buttons of facilitators; /facilitator for admins.

Handlers stay thin: the rules live in ``conversations.sessions`` and the
journey, the rows in ``storage.facilitation`` and ``storage.sessions``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationHandlerStop

from bot import presenters
from bot.config import Settings
from bot.context import Context
from bot.respondent import handlers
from bot.roles import Outcome, admin_only, caller_language, refuse
from conversations import callbacks, interviews
from conversations import sessions as session_service
from conversations.callbacks import ForgedCallback
from conversations.services import Services
from locales.i18n import plural_translator, translator
from storage import facilitation, sessions
from storage.facilitation import Interview
from storage.sessions import Session

log = logging.getLogger(__name__)
Handler = Callable[[Update, Context], Awaitable[Any]]


def _services(context: Context) -> Services:
    return context.bot_data.services


async def sync_config(application: Application) -> None:  # type: ignore[type-arg]
    """``[[facilitators]]`` into the database; ones removed from the config lose the role."""
    settings: Settings = application.bot_data.settings
    services: Services = application.bot_data.services
    await facilitation.sync_config_facilitators(
        services.store, [entry.telegram_id for entry in settings.facilitators]
    )


def facilitator_only(handler: Handler) -> Handler:
    """Facilitators only; anyone else gets "Not allowed." and nothing more."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        user = update.effective_user
        if (
            user is None
            or await facilitation.get_facilitator(_services(context).store, user.id) is None
        ):
            await refuse(update, context)
            return None  # not reached: a refusal ends the update
        return await handler(update, context)

    return wrapper


def stopping(handler: Handler) -> Handler:
    """For buttons handled before the journey: it must never see them too."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        await handler(update, context)
        raise ApplicationHandlerStop

    return wrapper


async def _say(update: Update, context: Context, text: str) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text)


def _number(args: list[str]) -> int | None:
    if len(args) < 2 or not args[1].isdigit() or len(args[1]) > 6:
        return None
    return int(args[1])


# /facilitator (admins) ---------------------------------------------------------


@admin_only("facilitator")
async def facilitator_command(update: Update, context: Context) -> Outcome | None:
    services = _services(context)
    user = update.effective_user
    assert user is not None
    _ = translator(await caller_language(context, user.id, user.language_code))
    args = context.args or []
    action = args[0].lower() if args else "list"
    if action == "list":
        rows = await facilitation.list_facilitators(services.store)
        await _say(
            update,
            context,
            "\n".join(
                f"{f.telegram_id}" + (" (config)" if f.source == "config" else "") for f in rows
            )
            or _("No facilitators yet."),
        )
        return None
    telegram_id = int(args[1]) if len(args) == 2 and args[1].isdigit() else 0
    if action not in ("add", "remove") or not 0 < telegram_id < 2**53:
        await _say(
            update,
            context,
            _(
                "Use /facilitator list, /facilitator add <user id> or /facilitator remove <user id>."
            ),
        )
        return Outcome("rejected: usage")
    if action == "add":
        added = await facilitation.add_facilitator(services.store, telegram_id, "chat")
        text = (
            _("Facilitator {id} added. They can now use /interview and /session.")
            if added
            else _("{id} is already a facilitator.")
        )
        await _say(update, context, text.format(id=telegram_id))
        return None if added else Outcome("ok: already")
    removed = await facilitation.remove_facilitator(services.store, telegram_id)
    settings: Settings = context.bot_data.settings
    if removed and any(f.telegram_id == telegram_id for f in settings.facilitators):
        # Back at the next start unless the config changes too: say so.
        text = _("Facilitator {id} removed; they are also in the config file, remove them there.")
    elif removed:
        text = _("Facilitator {id} removed.")
    else:
        text = _("{id} is not a facilitator.")
    await _say(update, context, text.format(id=telegram_id))
    return None if removed else Outcome("rejected: not a facilitator")


# /interview ---------------------------------------------------------------------


@facilitator_only
async def interview_command(update: Update, context: Context) -> None:
    user = update.effective_user
    assert user is not None
    language = await caller_language(context, user.id, user.language_code)
    args = [a.lower() for a in context.args or []]
    action = args[0] if args else "new"
    # Also lets go of an interview that was closed meanwhile.
    current = await handlers.focused_interview(_services(context), user.id)
    if action == "new":
        await _interview_new(update, context, language)
    elif action == "list":
        await _interview_list(update, context, language, current)
    elif action == "resume":
        await _interview_resume(update, context, language, _number(args))
    elif action in ("pause", "end"):
        await _interview_stop(update, context, language, current, pause=action == "pause")
    else:
        _ = translator(language)
        await _say(
            update,
            context,
            _(
                "Use /interview (a new interview), /interview list, /interview resume <n>,"
                " /interview pause or /interview end."
            ),
        )


async def _interview_new(update: Update, context: Context, language: str) -> None:
    """The consent text to read aloud, with the attestation buttons."""
    assert update.effective_chat is not None
    screen = interviews.read_aloud_screen(language, _services(context).survey)
    await context.bot.send_message(
        update.effective_chat.id,
        screen.text,
        parse_mode=ParseMode.HTML,
        reply_markup=presenters.markup(screen.keyboard),
    )


async def _interview_list(
    update: Update, context: Context, language: str, current: Interview | None
) -> None:
    services, user = _services(context), update.effective_user
    assert user is not None
    rows = await facilitation.open_interviews(services.store, user.id)
    closed = await facilitation.closed_count(services.store, user.id)
    text = interviews.list_text(language, rows, closed, current.id if current else None)
    await _say(update, context, text)


async def _interview_resume(
    update: Update, context: Context, language: str, number: int | None
) -> None:
    services, user, chat = _services(context), update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    _ = translator(language)
    interview = (
        await facilitation.interview_by_number(services.store, user.id, number)
        if number is not None
        else None
    )
    if interview is None or interview.status != "open" or interview.submitted:
        # Submitted or ended interviews are out of the facilitator's sight.
        await _say(
            update, context, _("No paused interview with that number. /interview list shows them.")
        )
        return
    await facilitation.set_focus(services.store, user.id, "interview", interview.id)
    await handlers.show_interview(
        context,
        chat.id,
        interview,
        _("Interview {number} ({id}) resumed.").format(
            number=interview.number, id=interview.pseudonym
        ),
    )


async def _interview_stop(
    update: Update, context: Context, language: str, current: Interview | None, pause: bool
) -> None:
    """Pause (the chat is the facilitator's own again) or end the current interview."""
    services, user = _services(context), update.effective_user
    assert user is not None
    _ = translator(language)
    if current is None:
        await _say(update, context, _("You are not in an interview. /interview list"))
        return
    if pause:
        await facilitation.set_focus(services.store, user.id, None)
        text = _(
            "Interview {number} ({id}) paused. /interview resume {number} continues it;"
            " your own buttons and messages are yours again."
        )
    else:
        await facilitation.close_interview(services.store, current.id)
        text = _(
            "Interview {number} ({id}) ended: the answers given are kept as an unfinished"
            " scorecard and can no longer be seen or changed here."
        )
    await _say(update, context, text.format(number=current.number, id=current.pseudonym))


@stopping
@facilitator_only
async def on_consent_button(update: Update, context: Context) -> None:
    services = _services(context)
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    language = await caller_language(context, user.id, user.language_code)
    _ = translator(language)
    try:
        consent = callbacks.decode_interview(query.data)
    except ForgedCallback as reason:
        log.warning("rejected interview callback data from a client: %s", reason)
        await presenters.acknowledge(query, _("This button is not valid."), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        await presenters.acknowledge(query)
        return
    if consent.method is None:  # they did not agree
        await presenters.acknowledge(query)
        await presenters.edit(
            message, _("Nothing was stored. Thank the person for their time. /interview")
        )
        return
    survey = services.survey
    interview = await facilitation.start_interview(
        services.store,
        user.id,
        message.message_id,
        consent.method,
        language,
        services.consent_version,
        (survey.id, survey.version, survey.content_hash),
    )
    if interview is None:  # this consent already started an interview
        await presenters.acknowledge(query)
        return
    await presenters.acknowledge(query, _("Consent recorded"))
    await presenters.edit(message, reply_markup=None)
    await handlers.show_interview(
        context, chat.id, interview, interviews.started_notice(language, interview)
    )


# /session -----------------------------------------------------------------------


async def _present_session(
    context: Context,
    chat_id: int,
    session: Session,
    outcome: session_service.Outcome,
    message: Message | None = None,
) -> None:
    """Edit the live message in place, or send the screen anew and remember it."""
    if outcome.notice:
        await context.bot.send_message(chat_id, outcome.notice)
    sent = await presenters.edit_or_send(
        context, chat_id, outcome.screen, None if outcome.fresh else message
    )
    if sent is None or outcome.submitted:
        return
    fresh = await sessions.get_session(_services(context).store, session.id)
    assert fresh is not None
    await sessions.set_shown(
        _services(context).store, session.id, fresh.shown_step, sent.message_id
    )
    await presenters.retire_keyboard(context, chat_id, fresh.live_message_id, sent.message_id)


async def _show_session(
    context: Context, chat_id: int, session: Session, notice: str | None = None
) -> None:
    services = _services(context)
    screen = session_service.screen(
        services, session, session_service.shown(services.survey, session)
    )
    await _present_session(
        context, chat_id, session, session_service.Outcome(screen, notice=notice, fresh=True)
    )


async def _focused_session(services: Services, telegram_id: int) -> Session | None:
    focus = await facilitation.get_focus(services.store, telegram_id)
    if focus is None or focus.kind != "session":
        return None
    return await _open_session(services, telegram_id, focus.target_id)


async def _open_session(services: Services, telegram_id: int, session_id: int) -> Session | None:
    """The session a facilitator's chat is on, if it is still open; else the focus goes."""
    session = await sessions.get_session(services.store, session_id)
    if session is None or session.submitted_at is not None or session.facilitator_id != telegram_id:
        await facilitation.set_focus(services.store, telegram_id, None)
        return None
    return session


@facilitator_only
async def session_command(update: Update, context: Context) -> None:
    user = update.effective_user
    assert user is not None
    language = await caller_language(context, user.id, user.language_code)
    args = [a.lower() for a in context.args or []]
    action = args[0] if args else "new"
    if action == "new":
        await _session_new(update, context, language)
    elif action == "list":
        await _session_list(update, context, language)
    elif action == "resume":
        await _session_resume(update, context, language, _number(args))
    elif action == "pause":
        await _session_pause(update, context, language)
    else:
        _ = translator(language)
        await _say(
            update,
            context,
            _(
                "Use /session (a new group session), /session list, /session resume <n> or /session pause."
            ),
        )


async def _session_new(update: Update, context: Context, language: str) -> None:
    services, user, chat = _services(context), update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    _ = translator(language)
    survey = services.survey
    session = await sessions.start_session(
        services.store, user.id, (survey.id, survey.version, survey.content_hash), language
    )
    await _show_session(
        context,
        chat.id,
        session,
        _(
            "Group session {id} started. Record what the group agrees on; every answer is"
            " saved at once. /session pause to stop for now."
        ).format(id=session.pseudonym),
    )


async def _session_list(update: Update, context: Context, language: str) -> None:
    services, user = _services(context), update.effective_user
    assert user is not None
    _ = translator(language)
    rows = await sessions.open_sessions(services.store, user.id)
    if not rows:
        text = _("No open group sessions.")
    else:
        text = "\n".join(
            [_("Group sessions you can resume:")]
            + [
                plural_translator(language)(
                    "{number}. {id}: 1 score so far",
                    "{number}. {id}: {scored} scores so far",
                    len(s.scores),
                ).format(
                    number=s.id, id=s.pseudonym, scored=len(s.scores)
                )
                for s in rows
            ]
            + [_("Send /session resume <number> to continue one.")]
        )
    await _say(update, context, text)


async def _session_resume(
    update: Update, context: Context, language: str, number: int | None
) -> None:
    services, user, chat = _services(context), update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    _ = translator(language)
    session = await sessions.get_session(services.store, number) if number else None
    if session is None or session.facilitator_id != user.id or session.submitted_at:
        await _say(update, context, _("No open group session with that number. /session list"))
        return
    await facilitation.set_focus(services.store, user.id, "session", session.id)
    await _show_session(
        context, chat.id, session, _("Group session {id} resumed.").format(id=session.pseudonym)
    )


async def _session_pause(update: Update, context: Context, language: str) -> None:
    services, user = _services(context), update.effective_user
    assert user is not None
    _ = translator(language)
    current = await _focused_session(services, user.id)
    if current is None:
        await _say(update, context, _("You are not in a group session. /session list"))
        return
    await facilitation.set_focus(services.store, user.id, None)
    await _say(
        update,
        context,
        _("Group session {id} paused. /session resume {number} continues it.").format(
            id=current.pseudonym, number=current.id
        ),
    )


@stopping
@facilitator_only
async def on_session_button(update: Update, context: Context) -> None:
    services = _services(context)
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    _ = translator(await caller_language(context, user.id, user.language_code))
    try:
        press = session_service.parse_press(query.data, services.survey)
    except ForgedCallback as reason:
        log.warning("rejected session callback data from a client: %s", reason)
        await presenters.acknowledge(query, _("This button is not valid."), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    session = await _focused_session(services, user.id)
    if session is None or session.id != press.session_id:
        await presenters.acknowledge(
            query,
            _("That group session is not open here. /session list shows the open ones."),
            show_alert=True,
        )
        return
    is_live = message is not None and message.message_id == session.live_message_id
    shown = session_service.shown(services.survey, session)
    if not is_live or press.step != shown:
        live = presenters.newer_live_message(message, session.live_message_id)
        if live is not None and message is not None:  # the question is further down
            await presenters.acknowledge(
                query,
                _("That message is out of date. Your current question is the last one below."),
            )
            screen = session_service.screen(services, session, shown)
            await _present_session(context, chat.id, session, session_service.Outcome(screen), live)
            await presenters.retire_keyboard(context, chat.id, message.message_id, live.message_id)
            return
        await presenters.acknowledge(
            query, _("That message is out of date. Here is your current question.")
        )
        await _show_session(context, chat.id, session)
        return
    outcome = await session_service.apply(services, session, press)
    await presenters.acknowledge(query, outcome.alert)
    await _present_session(context, chat.id, session, outcome, message)


async def on_session_voice(update: Update, context: Context, session_id: int) -> bool:
    """A voice note while a facilitator's chat is on session ``session_id`` (the
    respondents' gate knows it): sessions keep typed notes only, so it is not taken
    for the facilitator's own comment. False when the session is over."""
    services = _services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    if await _open_session(services, user.id, session_id) is None:
        return False
    _ = translator(await caller_language(context, user.id, user.language_code))
    await context.bot.send_message(
        chat.id,
        _(
            "A group session keeps typed notes only: please type the reasons the group"
            " gave. Voice notes are kept for individual comments."
        ),
    )
    return True


async def on_session_text(update: Update, context: Context, session_id: int) -> bool:
    """Typed answers while a facilitator's chat is on session ``session_id`` (the
    respondents' gate knows it, so nobody else's text costs a query here). False
    when the session is over: the text is the facilitator's own."""
    services = _services(context)
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    assert message.text is not None
    session = await _open_session(services, user.id, session_id)
    if session is None:
        return False
    outcome = await session_service.answer_text(services, session, message.text, message.message_id)
    if outcome is not None:
        await _present_session(context, chat.id, session, outcome)
    return True
