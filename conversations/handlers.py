"""Thin Telegram handlers for respondents: read the update, call the journey, show.

Every answer is committed by :mod:`conversations.journey` before anything is
sent back, so a Telegram error here can cost a screen, never an answer.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from conversations import journey
from conversations.callbacks import Choice, ForgedCallback, StaleCallback, choice_data, parse
from conversations.i18n import translator
from conversations.journey import Reply
from conversations.mydata import describe_my_data
from conversations.screens import consent_screen, help_text, language_screen
from conversations.services import Services
from conversations.survey import LANGUAGES
from storage import responses, users
from storage.responses import RespondentState, Response
from storage.store import utc_now
from storage.users import User

log = logging.getLogger(__name__)
PRIVATE = filters.ChatType.PRIVATE


async def acknowledge(
    query: CallbackQuery, text: str | None = None, show_alert: bool = False
) -> None:
    """Answer a button press; a query that is too old (say, after a restart) must
    not stop the next question from being shown, so that error is ignored."""
    try:
        await query.answer(text, show_alert=show_alert)
    except BadRequest as error:
        log.info("callback query not answered: %s", error.message)


async def edit(message: Message, text: str | None = None, **kwargs: object) -> None:
    """Edit a message the person tapped; "not modified" (a press delivered twice)
    and a message gone from the chat are not errors: what follows is still shown."""
    try:
        if text is None:
            await message.edit_reply_markup(**kwargs)  # type: ignore[arg-type]
        else:
            await message.edit_text(text, **kwargs)  # type: ignore[arg-type]
    except BadRequest as error:
        if "not modified" not in error.message:
            log.info("edit failed: %s", error.message)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


async def _user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Services, User]:
    services = services_of(context)
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None
    return services, await users.ensure_user(services.store, tg_user.id, chat.id)


async def _state(
    update: Update, context: ContextTypes.DEFAULT_TYPE
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
    return services, state


async def present(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    reply: Reply,
    response: Response | None,
    message: Message | None = None,
) -> None:
    """Show a reply: edit ``message`` in place, or send a new live message."""
    services = services_of(context)
    screen = reply.screen
    if reply.notice:
        await context.bot.send_message(chat_id, reply.notice)
    if message is not None and not reply.fresh_message:
        try:
            await message.edit_text(
                screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
            )
            return
        except BadRequest as error:
            if "not modified" in error.message:
                return
            log.info("edit failed (%s); sending the screen anew", error.message)
    sent = await context.bot.send_message(
        chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
    )
    if response is not None:
        old = response.live_message_id
        await responses.set_shown(services.store, response.id, reply.shown, sent.message_id)
        if old is not None and old != sent.message_id:
            # The old question's buttons would only confuse now.
            with contextlib.suppress(TelegramError):
                await context.bot.edit_message_reply_markup(chat_id, old, reply_markup=None)


async def _show_where(
    context: ContextTypes.DEFAULT_TYPE, user: User, *, resume: bool, notice: str | None = None
) -> None:
    services = services_of(context)
    reply = await journey.where_am_i(services, user, resume=resume)
    if notice:
        reply = Reply(reply.screen, reply.shown, None, True, notice)
    await present(context, user.chat_id, reply, await journey.active_response(services, user))


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        screen = language_screen(services.survey)
        await context.bot.send_message(
            user.chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )
        return
    await _show_where(context, user, resume=True, notice=notice)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _services, user = await _user(update, context)
    await _show_where(context, user, resume=True)


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/language`` shows the picker; ``/language vi`` or ``/language en`` switches at once."""
    services, user = await _user(update, context)
    chosen = context.args[0].lower() if context.args else ""
    if chosen not in LANGUAGES:
        screen = language_screen()
        await context.bot.send_message(
            user.chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )
        return
    await users.set_language(services.store, user.id, chosen)
    user = await users.ensure_user(services.store, user.telegram_id, user.chat_id)
    _ = translator(chosen)
    note = _("Language: English") if chosen == "en" else _("Language: Vietnamese")
    consent = await users.get_consent(services.store, user.id)
    if consent is None or not consent.agreed:
        screen = consent_screen(chosen, services.survey)
        await context.bot.send_message(user.chat_id, note)
        await context.bot.send_message(
            user.chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
        )
        return
    await _show_where(context, user, resume=False, notice=note)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, user = await _user(update, context)
    text = help_text(services.survey, journey.language_of(services, user))
    await context.bot.send_message(user.chat_id, text, parse_mode=ParseMode.HTML)


async def mydata(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, user = await _user(update, context)
    for chunk in await describe_my_data(services, user):
        await context.bot.send_message(user.chat_id, chunk, parse_mode=ParseMode.HTML)


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
    update: Update, context: ContextTypes.DEFAULT_TYPE, user: User, choice: Choice
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
                message, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
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
    # D: delete my data
    await acknowledge(query)
    if choice.value == "y":
        await users.delete_user(services.store, user.id)
        text = _(
            "All your data has been deleted. Thank you for your time. Send /start if you ever want to take part again."
        )
    else:
        text = _("Nothing was deleted.")
    if message is not None:
        await edit(message, text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, state = await _state(update, context)
    user, consent, response, answers = state.user, state.consent, state.response, state.answers
    query = update.callback_query
    assert query is not None
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
    message = query.message if isinstance(query.message, Message) else None
    is_live = message is not None and message.message_id == response.live_message_id
    if not is_live or not journey.is_current(
        action, journey.shown_now(services, response, answers)
    ):
        if is_live and journey.repeats_stored_answer(services, answers, action):
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
    await acknowledge(query, reply.alert)
    await present(context, user.chat_id, reply, response, message)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, state = await _state(update, context)
    user, consent, response = state.user, state.consent, state.response
    message = update.effective_message
    assert message is not None and message.text is not None
    if (
        response is None
        or response.submitted_at is not None
        or consent is None
        or not consent.agreed
    ):
        _ = translator(journey.language_of(services, user))
        await _show_where(
            context, user, resume=False, notice=_("Please use the buttons, or send /help.")
        )
        return
    reply = await journey.answer_text(
        services, user, response, state.answers, message.text, message.message_id
    )
    if reply is None:
        log.info("a text message delivered twice was answered once")
        return
    await present(context, user.chat_id, reply, response)


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Photos, stickers, voice notes...: a hint, then the question again."""
    services, user = await _user(update, context)
    _ = translator(journey.language_of(services, user))
    await _show_where(
        context,
        user,
        resume=False,
        notice=_(
            "Sorry, I can only read text messages and button taps. Here is your question again."
        ),
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services, user = await _user(update, context)
    _ = translator(journey.language_of(services, user))
    await context.bot.send_message(
        user.chat_id, _("I don't know that command. Send /help to see what I can do.")
    )


async def on_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user who blocks the bot is marked so that nobody messages them again."""
    member = update.my_chat_member
    if member is None or member.chat.type != ChatType.PRIVATE:
        return
    blocked = member.new_chat_member.status in {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}
    await users.mark_blocked(services_of(context).store, member.from_user.id, blocked)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("start", start, filters=PRIVATE))
    application.add_handler(CommandHandler("resume", resume, filters=PRIVATE))
    application.add_handler(CommandHandler("language", language_command, filters=PRIVATE))
    application.add_handler(CommandHandler("help", help_command, filters=PRIVATE))
    application.add_handler(CommandHandler("mydata", mydata, filters=PRIVATE))
    application.add_handler(CommandHandler("delete", delete_command, filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))


def register_fallbacks(application: Application) -> None:  # type: ignore[type-arg]
    """Last in line, after every feature has added its commands."""
    application.add_handler(MessageHandler(PRIVATE & filters.COMMAND, unknown_command))
    application.add_handler(
        MessageHandler(PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_other)
    )
