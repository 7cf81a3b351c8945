"""Thin Telegram handlers for respondents: read the update, call the journey, show.

Every answer is committed by :mod:`conversations.journey` before anything is
sent back, so a Telegram error here can cost a screen, never an answer.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from html import escape

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import (
    filters,
)

from bot.context import Context
from bot.presenters import acknowledge, edit, edit_or_send, markup, retire_keyboard, send_screen
from conversations import guardian, interviews, journey, shown, text, voice
from conversations.callbacks import Choice, ForgedCallback, StaleCallback, choice_data, parse
from conversations.journey import Reply
from conversations.mydata import describe_my_data
from conversations.screens import Screen, consent_screen, help_text, language_screen
from conversations.services import Services
from locales.i18n import translator
from storage import facilitation, guardians, responses, users
from storage.facilitation import Focus, Interview
from storage.responses import RespondentState, Response
from storage.store import utc_now
from storage.users import User
from survey.model import LANGUAGES

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


def services_of(context: Context) -> Services:
    return context.bot_data.services


async def _user(update: Update, context: Context) -> tuple[Services, User]:
    services = services_of(context)
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None
    return services, await users.ensure_user(services.store, tg_user.id, chat.id)


async def _state(
    update: Update, context: Context
) -> tuple[Services, RespondentState]:
    """The person, their consent, response and answers: one query in the common case."""
    services = services_of(context)
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None
    state = await responses.respondent_state(services.store, tg_user.id, services.survey.id)
    if state is None or state.user.chat_id != chat.id or state.user.blocked_at is not None:
        await users.ensure_user(services.store, tg_user.id, chat.id)
        state = await responses.respondent_state(services.store, tg_user.id, services.survey.id)
    assert state is not None
    return services.on(state.response), state  # the version the response began on


async def focused_interview(
    services: Services, telegram_id: int, known: RespondentState | None = None
) -> Interview | None:
    """The interview a facilitator's chat is on, if any: still open, not submitted.

    ``known``: the person's state, which already carries their focus (no query)."""
    if known is not None:
        focus = Focus(*known.focus) if known.focus else None
    else:
        focus = await facilitation.get_focus(services.store, telegram_id)
    if focus is None or focus.kind != "interview":
        return None
    interview = await facilitation.get_interview(services.store, focus.target_id)
    if interview is None or interview.status != "open" or interview.submitted:
        await facilitation.set_focus(services.store, telegram_id, None)
        return None
    return interview


async def _acting(
    update: Update, context: Context
) -> tuple[Services, RespondentState, Interview | None]:
    """Whose survey a tap or a typed answer is for: the person's own, or, for a
    facilitator in an interview, the interviewed respondent's (shown in the
    facilitator's chat; the respondent's own row keeps chat 0)."""
    services, state = await _state(update, context)
    interview = await focused_interview(services, state.user.telegram_id, state)
    if interview is None:
        return services, state, None
    other = await responses.respondent_state(
        services.store, interview.telegram_id, services.survey.id
    )
    assert other is not None
    user = replace(other.user, chat_id=state.user.chat_id)
    services = services_of(context).on(other.response)
    return services, RespondentState(user, other.consent, other.response, other.answers), interview


async def _with_banner(services: Services, screen: Screen, response: Response | None) -> Screen:
    """Every interview screen says whose survey it is, so the facilitator never
    mistakes it for their own."""
    if response is None or response.mode != "interview":
        return screen
    known = await users.pseudonym_and_language(services.store, response.user_id)
    if known is None:
        return screen
    pseudonym, language = known
    return Screen(
        interviews.banner(language or services.default_language, pseudonym)
        + "\n\n"
        + screen.text,
        screen.keyboard,
    )


async def present(
    context: Context,
    chat_id: int,
    reply: Reply,
    response: Response | None,
    message: Message | None = None,
) -> None:
    """Show a reply: edit ``message`` in place, or send a new live message."""
    services = services_of(context)
    screen = await _with_banner(services, reply.screen, response)
    if reply.notice:
        await context.bot.send_message(chat_id, reply.notice)
    sent = await edit_or_send(context, chat_id, screen, None if reply.fresh_message else message)
    if sent is not None and response is not None:
        await responses.set_shown(
            services.store, response.id, shown.encode(reply.shown), sent.message_id
        )
        await retire_keyboard(context, chat_id, response.live_message_id, sent.message_id)


async def _show_where(
    context: Context, user: User, *, resume: bool, notice: str | None = None
) -> None:
    services = services_of(context)
    reply = await journey.where_am_i(services, user, resume=resume)
    if notice:
        reply = Reply(reply.screen, reply.shown, None, True, notice)
    await present(context, user.chat_id, reply, await journey.active_response(services, user))


async def show_interview(
    context: Context,
    chat_id: int,
    interview: Interview,
    notice: str | None = None,
) -> None:
    """The interview's current question, in the facilitator's chat."""
    services = services_of(context)
    user = await users.get_user(services.store, interview.telegram_id)
    assert user is not None
    await _show_where(context, replace(user, chat_id=chat_id), resume=True, notice=notice)


async def start(update: Update, context: Context) -> None:
    if not context.args:
        services, state, interview = await _acting(update, context)
        if interview is not None:  # a facilitator mid-interview: the interview goes on
            await _show_where(context, state.user, resume=True)
            return
    services, user = await _user(update, context)
    notice = None
    if context.args:
        code = context.args[0]
        invitation = await users.get_invitation(services.store, code) if len(code) <= 64 else None
        if invitation is not None and invitation.usable(utc_now()):
            await users.set_pending_invitation(services.store, user.id, code)
            if user.language is None and invitation.language:
                await users.set_language(services.store, user.id, invitation.language)
            user = await users.ensure_user(services.store, user.telegram_id, user.chat_id)
        else:
            suggested = user.language or journey.suggest_language(
                update.effective_user.language_code if update.effective_user else None,
                services.default_language,
            )
            _ = translator(suggested)
            notice = _(
                "This invitation link is unknown, expired or already used up. You can still take"
                " part: your answers simply won't be linked to an invitation."
            )
    if user.language is None:
        if notice:
            await context.bot.send_message(user.chat_id, notice)
        await send_screen(context, user.chat_id, language_screen(services.survey))
        return
    await _show_where(context, user, resume=True, notice=notice)


async def resume(update: Update, context: Context) -> None:
    _services, state, _interview = await _acting(update, context)
    await _show_where(context, state.user, resume=True)


async def language_command(update: Update, context: Context) -> None:
    """``/language`` shows the picker; ``/language vi`` or ``/language en`` switches at once."""
    services, user = await _user(update, context)
    chosen = context.args[0].lower() if context.args else ""
    if chosen not in LANGUAGES:
        await send_screen(context, user.chat_id, language_screen())
        return
    await users.set_language(services.store, user.id, chosen)
    user = await users.ensure_user(services.store, user.telegram_id, user.chat_id)
    _ = translator(chosen)
    note = _("Language: English") if chosen == "en" else _("Language: Vietnamese")
    consent = await users.get_consent(services.store, user.id)
    if consent is None or not consent.agreed:
        screen = consent_screen(chosen, services.survey)
        await context.bot.send_message(user.chat_id, note)
        await send_screen(context, user.chat_id, screen)
        return
    await _show_where(context, user, resume=False, notice=note)


async def help_command(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    _ = translator(journey.language_of(services, user))
    text = help_text(services.survey, journey.language_of(services, user))
    if await facilitation.get_facilitator(services.store, user.telegram_id) is not None:
        text += "\n\n" + "\n".join(
            [
                "<b>" + escape(_("For facilitators")) + "</b>",
                "/interview – "
                + escape(_("answer the survey with a person who has no phone of their own")),
                "/interview list – " + escape(_("interviews you paused")),
                "/interview resume &lt;n&gt;, /interview pause, /interview end",
                "/session – " + escape(_("record a group's scorecard (focus group)")),
                "/session list, /session resume &lt;n&gt;, /session pause",
            ]
        )
    await context.bot.send_message(user.chat_id, text, parse_mode=ParseMode.HTML)


async def mydata(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    for chunk in await describe_my_data(services, user):
        await context.bot.send_message(user.chat_id, chunk, parse_mode=ParseMode.HTML)


async def delete_command(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    _ = translator(journey.language_of(services, user))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Yes, delete everything"), callback_data=choice_data("D", "y")
                )
            ],
            [InlineKeyboardButton(_("No, keep my answers"), callback_data=choice_data("D", "n"))],
        ]
    )
    await context.bot.send_message(
        user.chat_id,
        _(
            "This deletes your consent, your profile and every answer you gave, for good. Are you sure?"
        ),
        reply_markup=keyboard,
    )


async def on_choice(
    update: Update, context: Context, user: User, choice: Choice
) -> None:
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    if choice.topic == "L":
        await users.set_language(services.store, user.id, choice.value)
        _ = translator(choice.value)
        await acknowledge(
            query, _("Language: English") if choice.value == "en" else _("Language: Vietnamese")
        )
        user = await users.ensure_user(services.store, user.telegram_id, user.chat_id)
        consent = await users.get_consent(services.store, user.id)
        if (consent is None or not consent.agreed) and message is not None:
            screen = consent_screen(choice.value, services.survey)
            await edit(
                message, screen.text, parse_mode=ParseMode.HTML, reply_markup=markup(screen.keyboard)
            )
            return
        if message is not None:
            await edit(
                message,
                _("Language: English") if choice.value == "en" else _("Language: Vietnamese"),
            )
        await _show_where(context, user, resume=False)
        return
    _ = translator(journey.language_of(services, user))
    if choice.topic == "C":
        agreed = choice.value == "y"
        existing = await users.get_consent(services.store, user.id)
        if existing is not None and existing.agreed and not agreed:
            await acknowledge(query)  # a stale "no" after agreeing changes nothing
            return
        await users.record_consent(services.store, user.id, agreed, services.consent_version)
        await acknowledge(query)
        if not agreed:
            text = _(
                "Thank you for your time. Nothing but your refusal has been stored. If you change your mind, send /start."
            )
            if message is not None:
                await edit(message, text)
            return
        if message is not None:
            await edit(message, reply_markup=None)
        await _show_where(context, user, resume=True)
        return
    if choice.topic == "K":
        await _child_choice(context, user, choice.value, query, message)
        return
    # D: delete my data
    await acknowledge(query)
    if choice.value == "y":
        await voice.delete_person(services, user)
        text = _(
            "All your data has been deleted. Thank you for your time. Send /start if you ever want to take part again."
        )
    else:
        text = _("Nothing was deleted.")
    if message is not None:
        await edit(message, text)


async def _child_choice(
    context: Context,
    user: User,
    value: str,
    query: CallbackQuery,
    message: Message | None,
) -> None:
    """A child's buttons: a new link for the guardian (l), "I don't want to take
    part" (n), "yes, start" after the guardian's yes (y)."""
    services = services_of(context)
    language = journey.language_of(services, user)
    await acknowledge(query)
    response = await journey.active_response(services, user)
    answers = await responses.load_answers(services.store, response.id) if response else None
    # Declining deletes the answers: only before any rating, so that an old
    # message's button cannot wipe a scorecard; later, /delete does it.
    if value == "n" and (answers is None or not answers.ratings):
        await guardians.child_declines(services.store, user.id, services.consent_version)
        if message is not None:
            await edit(message, guardian.child_declined(language))
        return
    if message is not None:
        await edit(message, reply_markup=None)
    if value == "l" and response is not None and answers is not None:
        wait = await journey.guardian_wait(services, user, response, answers, new_link=True)
        if wait is not None:
            await present(context, user.chat_id, wait, response)
            return
    await _show_where(context, user, resume=True)


async def on_button(update: Update, context: Context) -> None:
    services, state, interview = await _acting(update, context)
    query = update.callback_query
    assert query is not None
    if interview is not None and query.data and query.data.count("|") == 2:
        # Language, consent and /delete buttons are always about the presser:
        # never about the person being interviewed.
        services, state = await _state(update, context)
        interview = None
    user, consent, response, answers = state.user, state.consent, state.response, state.answers
    _ = translator(journey.language_of(services, user))
    try:
        action = parse(query.data, services.survey)
    except StaleCallback:
        # A button of an older survey version: not forged, just out of date.
        if response is not None and response.submitted_at is None and consent and consent.agreed:
            await acknowledge(
                query, _("That message is out of date. Here is your current question.")
            )
            await _show_where(context, user, resume=False)
        else:
            await acknowledge(query)
            await _show_where(context, user, resume=True)
        return
    except ForgedCallback as reason:
        log.warning("rejected callback data from a client: %s", reason)
        await acknowledge(
            query, _("This button is not valid. Send /resume to continue."), show_alert=True
        )
        return
    if isinstance(action, Choice):
        await on_choice(update, context, user, action)
        return
    if response is None or consent is None or not consent.agreed:
        await acknowledge(query)
        await _show_where(context, user, resume=True)
        return
    if response.submitted_at is not None:
        await acknowledge(
            query, _("Your scorecard is already submitted. Thank you!"), show_alert=True
        )
        return
    # A child without a guardian's yes: nothing is stored, whatever the button.
    wait = await journey.guardian_wait(services, user, response, answers)
    if wait is not None:
        language = journey.language_of(services, user)
        await acknowledge(query, guardian.refused(language), show_alert=True)
        await present(context, user.chat_id, wait, response)
        return
    message = query.message if isinstance(query.message, Message) else None
    is_live = message is not None and message.message_id == response.live_message_id
    hidden = journey.hidden(services, answers, action)  # skip logic: never stored
    if (
        hidden
        or not is_live
        or not journey.is_current(action, journey.shown_now(services, response, answers))
    ):
        if is_live and not hidden and journey.repeats_stored_answer(services, answers, action):
            # Stored already (a double tap): make sure the message shows what is
            # current, in case the first tap's edit never reached the phone.
            await acknowledge(query, _("Saved"))
            reply = await journey.where_am_i(services, user, resume=False)
            await present(
                context, user.chat_id, Reply(reply.screen, reply.shown), response, message
            )
            return
        await acknowledge(query, _("That message is out of date. Here is your current question."))
        reply = await journey.where_am_i(services, user, resume=False)
        await present(context, user.chat_id, reply, response, message if is_live else None)
        return
    reply = await journey.apply(services, user, response, action, answers)
    if interview is not None and action.step is None and action.value == "sub":
        submitted = await journey.active_response(services, user)
        if submitted is not None and submitted.submitted_at is not None:
            # Submitted: the interview closes and its answers are out of the
            # facilitator's sight for good.
            await facilitation.close_interview(services.store, interview.id)
            await acknowledge(query)
            screen = interviews.submitted_screen(
                journey.language_of(services, user), interview.pseudonym
            )
            await present(context, user.chat_id, Reply(screen), None, message)
            return
    await acknowledge(query, reply.alert)
    await present(context, user.chat_id, reply, response, message)


def _answering(state: RespondentState) -> bool:
    """Whether a typed answer or a voice note can answer anything: consented, begun,
    not yet submitted."""
    consent, response = state.consent, state.response
    return (
        response is not None
        and response.submitted_at is None
        and consent is not None
        and consent.agreed
    )


async def on_text(update: Update, context: Context) -> None:
    services, state, _interview = await _acting(update, context)
    user, response = state.user, state.response
    message = update.effective_message
    assert message is not None and message.text is not None
    if not _answering(state):
        _ = translator(journey.language_of(services, user))
        await _show_where(
            context, user, resume=False, notice=_("Please use the buttons, or send /help.")
        )
        return
    wait = await journey.guardian_wait(services, user, response, state.answers)
    if wait is not None:  # typed ratings or comments from a child: nothing stored yet
        await context.bot.send_message(
            user.chat_id, guardian.refused(journey.language_of(services, user))
        )
        await present(context, user.chat_id, wait, response)
        return
    reply = await text.answer_text(
        services, user, response, state.answers, message.text, message.message_id
    )
    if reply is None:
        log.info("a text message delivered twice was answered once")
        return
    await present(context, user.chat_id, reply, response)


async def on_voice(update: Update, context: Context) -> None:
    """A voice note: kept as the comment the screen asks for, then the question again."""
    services, state, _interview = await _acting(update, context)
    user, response = state.user, state.response
    message = update.effective_message
    assert message is not None and message.voice is not None
    if not _answering(state):
        _ = translator(journey.language_of(services, user))
        await _show_where(
            context, user, resume=False, notice=_("Please use the buttons, or send /help.")
        )
        return
    note = message.voice

    async def fetch() -> bytes:
        file = await context.bot.get_file(note.file_id)
        return bytes(await file.download_as_bytearray())

    reply = await voice.answer_voice(
        services,
        user,
        response,
        state.answers,
        voice.VoiceNote(
            note.file_id,
            note.file_unique_id,
            # Read as Telegram sent it (seconds): PTB 22 deprecates the int property.
            int(note.to_dict().get("duration", 0)),
            note.file_size,
            message.message_id,
        ),
        fetch,
    )
    if reply is None:
        log.info("a voice note delivered twice was kept once")
        return
    await present(context, user.chat_id, reply, response)


async def on_other(update: Update, context: Context) -> None:
    """Photos, stickers, voice notes...: a hint, then the question again."""
    services, state, _interview = await _acting(update, context)
    user = state.user
    _ = translator(journey.language_of(services, user))
    await _show_where(
        context,
        user,
        resume=False,
        notice=_(
            "Sorry, I can only read text messages and button taps. Here is your question again."
        ),
    )


async def unknown_command(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    _ = translator(journey.language_of(services, user))
    await context.bot.send_message(
        user.chat_id, _("I don't know that command. Send /help to see what I can do.")
    )


async def on_membership(update: Update, context: Context) -> None:
    """A user who blocks the bot is marked so that nobody messages them again."""
    member = update.my_chat_member
    if member is None or member.chat.type != ChatType.PRIVATE:
        return
    blocked = member.new_chat_member.status in {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}
    await users.mark_blocked(services_of(context).store, member.from_user.id, blocked)
