"""Thin Telegram handlers for respondents' commands, and showing their screens.

What a respondent sends (buttons, text, voice notes, anything else) goes
through the gate in :mod:`bot.respondent.inputs`.

Every answer is committed by :mod:`conversations.journey` before anything is
sent back, so a Telegram error here can cost a screen, never an answer.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import (
    filters,
)

from bot.context import Context
from bot.presenters import edit_or_send, retire_keyboard, send_screen
from conversations import interviews, journey, shown
from conversations.callbacks import choice_data
from conversations.consent import consent_for
from conversations.journey import Reply
from conversations.mydata import describe_my_data
from conversations.screens import Screen, help_text, language_screen
from conversations.services import Services
from locales.i18n import translator
from storage import facilitation, responses, users
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


def shown_language(update: Update, services: Services, user: User) -> str:
    """Their chosen language, else their Telegram language, else the default."""
    tg_user = update.effective_user
    return user.language or journey.suggest_language(
        tg_user.language_code if tg_user else None, services.default_language
    )


async def state_of(update: Update, context: Context) -> tuple[Services, RespondentState]:
    """The person, their consent, response, answers, guardian's decision, round and
    facilitator focus: one query in the common case. Only for the person's own
    private chat (``conversations.gate.chat_rule``): their chat is set to this one."""
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
    services, state = await state_of(update, context)
    interview = await focused_interview(services, state.user.telegram_id, state)
    if interview is None:
        return services, state, None
    other = await responses.respondent_state(
        services.store, interview.telegram_id, services.survey.id
    )
    assert other is not None
    user = replace(other.user, chat_id=state.user.chat_id)
    services = services_of(context).on(other.response)
    return services, replace(other, user=user, focus=None), interview


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
        interviews.banner(language or services.default_language, pseudonym) + "\n\n" + screen.text,
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


async def show_where(
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
    await show_where(context, replace(user, chat_id=chat_id), resume=True, notice=notice)


async def start(update: Update, context: Context) -> None:
    if not context.args:
        services, state, interview = await _acting(update, context)
        if interview is not None:  # a facilitator mid-interview: the interview goes on
            await show_where(context, state.user, resume=True)
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
    await show_where(context, user, resume=True, notice=notice)


async def resume(update: Update, context: Context) -> None:
    _services, state, _interview = await _acting(update, context)
    await show_where(context, state.user, resume=True)


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
        screen = await consent_for(services.store, user, chosen, services.survey)
        await context.bot.send_message(user.chat_id, note)
        await send_screen(context, user.chat_id, screen)
        return
    await show_where(context, user, resume=False, notice=note)


async def help_command(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    _ = translator(shown_language(update, services, user))
    text = help_text(services.survey, shown_language(update, services, user))
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
    _ = translator(shown_language(update, services, user))
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


async def unknown_command(update: Update, context: Context) -> None:
    services, user = await _user(update, context)
    _ = translator(shown_language(update, services, user))
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
