"""How the bot shows things in Telegram: a screen as a message, edited in place or sent
anew, button presses answered, old keyboards retired.

Every respondent, facilitator and guardian screen goes through here, so the
Telegram rules (a "not modified" edit is no error, a too-old query must not
stop the next question) live in one place.
"""

from __future__ import annotations

import contextlib
import json
import logging
from functools import lru_cache

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.context import Context
from conversations.keyboard import Keyboard
from conversations.screens import Screen

log = logging.getLogger(__name__)


@lru_cache(maxsize=4096)
def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """Telegram's markup for an engine keyboard (cached: keyboards repeat on every tap)."""
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.callback_data, url=b.url) for b in row]
            for row in keyboard
        ]
    )


@lru_cache(maxsize=4096)
def markup_json(keyboard: Keyboard | None) -> str | None:
    """The markup as the JSON python-telegram-bot would post for it, serialised once:
    a keyboard's 17 buttons cost more to serialise on each tap than to look up."""
    built = markup(keyboard)
    return None if built is None else json.dumps(built.to_dict())


async def send_screen(context: Context, chat_id: int, screen: Screen) -> Message:
    """A screen as a new message."""
    return await context.bot.send_message(
        chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=markup(screen.keyboard)
    )


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


async def edit_or_send(
    context: Context, chat_id: int, screen: Screen, message: Message | None
) -> Message | None:
    """Edit ``message`` in place; when there is none or the edit fails, send the screen
    anew and return the new message (``None``: edited, or already showing it)."""
    if message is not None:
        try:
            await _edit_screen(context, message, screen)
            return None
        except BadRequest as error:
            if "not modified" in error.message:
                return None
            log.info("edit failed (%s); sending the screen anew", error.message)
    return await send_screen(context, chat_id, screen)


async def _edit_screen(context: Context, message: Message, screen: Screen) -> None:
    """``message.edit_text`` for a screen, without reading Telegram's answer.

    Telegram answers an edit with the whole edited message, and
    ``edit_message_text`` parses it into a :class:`Message`, keyboard and all:
    about a quarter of the CPU a tap costs (benchmarks/answers.py), for a
    message the bot never reads. The request is the one ``edit_message_text``
    posts, through the same request layer, rate limiter and errors ("not
    modified" is still a ``BadRequest``); only the parsing of the answer is left
    out. ``_post`` is python-telegram-bot's own entry to that layer (the public
    ``do_api_request`` warns for a method the library has), pinned below 23 in
    pyproject.toml and covered by every journey test.
    """
    await context.bot._post(
        "editMessageText",
        {
            "chat_id": message.chat_id,
            "message_id": message.message_id,
            "text": screen.text,
            "parse_mode": ParseMode.HTML,
            # A string goes on the wire as it is, where an object would be serialised
            # to this same JSON (telegram.request.RequestParameter.json_value).
            "reply_markup": markup_json(screen.keyboard),
        },
    )


def newer_live_message(message: Message | None, live_id: int | None) -> Message | None:
    """The live message, when a press came from an older message of the same chat.

    Such a press is answered by pointing below and editing the live message, never
    by another copy of the question: a copy would make the one below out of date
    too, a press on that one while the copy is on its way would bring a third, and
    a person pressing quickly would chase their question down the chat."""
    if message is None or live_id is None or live_id <= message.message_id:
        return None
    return Message(live_id, message.date, message.chat)


async def retire_keyboard(context: Context, chat_id: int, old: int | None, new: int) -> None:
    """The old question's buttons would only confuse once a new message asks it."""
    if old is not None and old != new:
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_reply_markup(chat_id, old, reply_markup=None)
