"""What reaches the handlers at all, and what happens when a handler fails.

* ``gate`` runs before every other handler (group :data:`GATE`). Edited
  messages and channel posts stop there: an edit never runs a command or
  answers a question. A button press from anywhere but the person's own
  private chat with the bot (a group, a channel, an inline message, or
  another person's private chat, which only a forged press comes from) stops
  there too, answered with a short alert and nothing stored, so a person's
  survey is never shown in a group or in someone else's chat, and no other
  chat's id is ever taken for theirs. The rule is
  ``conversations.gate.chat_rule``, the first rule of the respondents' gate.
  A command or a mention in a group stops there as well, answered with one
  line pointing to the private chat, at most once per group per
  :data:`GROUP_NOTE_INTERVAL`, so a busy group is never flooded.
* ``on_error`` is the application's error handler: a storage failure gets the
  person a short "could not save" (and the admins one note, at most hourly);
  every error is logged once, without names, usernames or message text.
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import Context
from conversations import gate as rules
from locales.i18n import translator
from storage import users
from storage.database import database_errors, is_transient

log = logging.getLogger(__name__)

GATE = -100  # before every other handler group
ADMIN_NOTE_INTERVAL = 3600.0  # seconds between two storage-failure notes to the admins
GROUP_NOTE_INTERVAL = 3600.0  # seconds between two "private chat only" lines in one group
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)


def _language(update: Update) -> str | None:
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.startswith("en") else "vi" if code.startswith("vi") else None


async def _answer(update: Update, text: str | None, show_alert: bool = False) -> bool:
    """Answer the press (the spinner stops); False when Telegram would not take it."""
    query = update.callback_query
    if query is None:
        return False
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramError as error:  # too old, already answered: nothing more to do
        log.info("callback query not answered: %s", getattr(error, "message", error))
        return False
    return True


def _bot_link(context: Context) -> str:
    try:
        return f" https://t.me/{context.bot.username}"
    except RuntimeError:  # not initialised: no username known
        return ""


async def gate(update: Update, context: Context) -> None:
    if (
        update.edited_message is not None
        or update.edited_channel_post is not None
        or update.channel_post is not None
        or update.edited_business_message is not None
    ):
        log.debug("ignored an edited message or channel post")
        raise ApplicationHandlerStop
    if update.message is not None and update.message.chat.type in GROUP_CHATS:
        await _point_to_private_chat(update, context)
        raise ApplicationHandlerStop
    query, message = update.callback_query, update.message
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        sender: int | None = query.from_user.id
    elif message is not None:
        chat = message.chat
        sender = message.from_user.id if message.from_user else None
    else:
        return
    refusal = rules.chat_rule(
        rules.chat_of(chat.type if chat else None, chat.id if chat else None, sender)
    )
    if refusal is not None:
        await refuse(update, context, refusal)
        raise ApplicationHandlerStop


async def refuse(update: Update, context: Context, refusal: rules.Refusal) -> None:
    """A press from a chat that is not the presser's own: a short alert, nothing
    else. A message from one (it cannot be but forged) gets nothing at all."""
    _ = translator(_language(update) or context.bot_data.settings.default_language)
    if isinstance(refusal, rules.NotOwnChat):
        text = _("This button is not for you. Please open your own chat with the bot:")
        log.info("refused an update from another person's private chat")
    else:
        text = _("Please open the bot in a private chat to answer:")
        log.info("refused a button press from outside a private chat")
    await _answer(update, text + _bot_link(context), show_alert=True)


async def _point_to_private_chat(update: Update, context: Context) -> None:
    """One line in a group that calls the bot: the survey is private. Nothing is stored."""
    message = update.message
    assert message is not None
    text = message.text or message.caption or ""
    try:
        username = context.bot.username
    except RuntimeError:  # not initialised: no username known
        username = ""
    command = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    if "@" in command and command.split("@", 1)[1].lower() != (username or "").lower():
        return  # a command for another bot in the group
    if not (command or (username and f"@{username}".lower() in text.lower())):
        return  # ordinary talk in the group is none of the bot's business
    now = time.monotonic()
    noted: dict[int, float] = context.bot_data.group_noted_at
    last = noted.get(message.chat.id)
    if last is not None and now - last < GROUP_NOTE_INTERVAL:
        return
    if len(noted) > 10_000:  # forget groups not heard from for an interval
        for chat_id in [c for c, at in noted.items() if now - at >= GROUP_NOTE_INTERVAL]:
            del noted[chat_id]
    noted[message.chat.id] = now
    _ = translator(_language(update) or context.bot_data.settings.default_language)
    try:
        await context.bot.send_message(
            message.chat.id,
            _("I only work in a private chat, so that your answers stay private:")
            + _bot_link(context),
        )
    except TelegramError as error:  # removed from the group, muted: nothing more to do
        log.info("could not answer in a group: %s", getattr(error, "message", error))
    log.info("pointed a group to the private chat")


def is_storage_failure(error: BaseException | None) -> bool:
    return isinstance(error, (*database_errors(), OSError)) and not isinstance(
        error, TelegramError
    )


async def on_error(update: object, context: Context) -> None:
    error = context.error
    services = context.bot_data.open_services
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        if services is not None:
            try:
                await users.mark_blocked(services.store, update.effective_user.id, True)
            except database_errors() as failure:
                log.error("could not mark a blocked user: %s", failure)
        log.info("a user has blocked the bot; marked")
        return
    if isinstance(error, BadRequest) and "not modified" in error.message:
        if isinstance(update, Update):  # the screen already shows it: not an error
            await _answer(update, None)
        return
    kind = type(update).__name__ if update is not None else "job" if context.job else "polling"
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        # The Bot API out of reach (while polling, or sends at shutdown): answers are
        # already stored and PTB retries; one line each, the traceback only at DEBUG.
        log.warning("the Bot API cannot be reached (%s): %s", kind, error)
        log.debug("network error", exc_info=error)
        return
    if (
        isinstance(update, Update)
        and error is not None
        and is_transient(error)
        and update.update_id in context.bot_data.may_run_again
    ):
        # Refused only because another worker's transaction crossed this one: the
        # worker runs the update again (its handlers are safe to run twice, as
        # after a killed worker), and the person is not told to try again.
        log.warning("update %d runs again: %s", update.update_id, type(error).__name__)
        context.bot_data.run_again.add(update.update_id)
        return
    if is_storage_failure(error):
        log.error("storage failure while handling an update (%s): %s", kind, error)
        if isinstance(update, Update):
            await _tell_person(update, context)
        await _tell_admins(context, error)
        return
    # Tracebacks name code, not people; the update itself (names, text) is never logged.
    log.error("error while handling an update (%s)", kind, exc_info=error)
    if isinstance(update, Update):
        await _answer(update, None)


async def _tell_person(update: Update, context: Context) -> None:
    _ = translator(_language(update) or context.bot_data.settings.default_language)
    text = _("Sorry, your answer could not be saved right now. Please try again in a minute.")
    if update.callback_query is not None and await _answer(update, text, show_alert=True):
        return
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            await context.bot.send_message(chat.id, text)
        except TelegramError as error:
            log.info("could not tell a person about a storage failure: %s", error)


async def _tell_admins(context: Context, error: BaseException | None) -> None:
    """One note to the admins per :data:`ADMIN_NOTE_INTERVAL`, however many failures."""
    now = time.monotonic()
    last = context.bot_data.storage_failure_noted_at
    if last is not None and now - last < ADMIN_NOTE_INTERVAL:
        return
    context.bot_data.storage_failure_noted_at = now
    settings = context.bot_data.settings
    for admin in settings.access.admins:
        _ = translator(settings.default_language)
        text = _(
            "The bot cannot write to its database ({reason}). Answers are not being saved"
            " until this is fixed; respondents are asked to try again later."
        ).format(reason=type(error).__name__ + (f": {error}" if error else ""))
        try:
            await context.bot.send_message(admin, text)
        except TelegramError as failure:
            log.info("could not tell an admin about a storage failure: %s", failure)
