"""sendMessage, edits and deletions."""

from __future__ import annotations

from typing import Any

from ..errors import (
    DELETE_NOT_FOUND,
    EDIT_NOT_FOUND,
    NOT_MODIFIED,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    bad_request,
)
from ..formatting import format_text, utf16_len
from ..markup import Markup, parse_markup
from ..model import StoredMessage, now
from ..params import Params
from ..state import BotState, ChatLog
from .registry import ApiContext, api_method

MAX_TEXT = 4096
MAX_CAPTION = 1024


def message_text(p: Params, field: str = "text", limit: int = MAX_TEXT) -> tuple[str, list[Any]]:
    raw = p.str(field)
    if raw is None or raw.strip() == "":
        if field == "text":
            raise bad_request(TEXT_EMPTY)
        return "", []
    explicit = p.json("entities" if field == "text" else "caption_entities")
    text, entities = format_text(raw, p.str("parse_mode"))
    if explicit:
        entities = list(explicit)
    if text.strip() == "" and field == "text":
        raise bad_request(TEXT_EMPTY)
    if utf16_len(text) > limit:
        raise bad_request(TEXT_TOO_LONG if field == "text" else "message caption is too long")
    return text, entities


def apply_chat_markup(chat: ChatLog, markup: Markup) -> None:
    """Reply keyboards live on the chat's input field, not in the Message."""
    if markup.reply_keyboard is not None:
        chat.reply_keyboard = markup.reply_keyboard
    elif markup.remove_keyboard:
        chat.reply_keyboard = None


def reply_target(state: BotState, chat: ChatLog, p: Params) -> StoredMessage | None:
    reply = p.json("reply_parameters") or {}
    message_id = reply.get("message_id") if isinstance(reply, dict) else None
    message_id = message_id or p.int("reply_to_message_id")
    if not message_id:
        return None
    target = chat.messages.get(int(message_id))
    allow = bool(reply.get("allow_sending_without_reply")) if isinstance(reply, dict) else False
    if target is None and not (allow or p.bool("allow_sending_without_reply")):
        raise bad_request("message to be replied not found")
    return target


@api_method("sendMessage")
async def send_message(ctx: ApiContext, p: Params) -> dict[str, Any]:
    chat = ctx.state.writable_chat(p.chat_id())
    text, entities = message_text(p)
    markup = parse_markup(p.json("reply_markup"))
    reply_to = reply_target(ctx.state, chat, p)
    message = ctx.state.add_message(
        chat, "bot", text=text, entities=entities, reply_markup=markup.inline, reply_to=reply_to
    )
    apply_chat_markup(chat, markup)
    return message.to_api()


def _editable(ctx: ApiContext, p: Params) -> StoredMessage:
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = p.chat_id()
    ctx.state.writable_chat(chat_id)
    message_id = p.require_int("message_id", "message identifier is not specified")
    message = ctx.state.message(chat_id, message_id, EDIT_NOT_FOUND)
    if message.sender != "bot":
        raise bad_request("message can't be edited")
    return message


def _commit_edit(ctx: ApiContext, message: StoredMessage, **changes: Any) -> dict[str, Any]:
    before = message.content_key()
    candidate = {key: getattr(message, key) for key in changes}
    for key, value in changes.items():
        setattr(message, key, value)
    if message.content_key() == before:
        for key, value in candidate.items():
            setattr(message, key, value)
        raise bad_request(NOT_MODIFIED)
    message.edit_date = now()
    ctx.state.touch()
    return message.to_api()


@api_method("editMessageText")
async def edit_message_text(ctx: ApiContext, p: Params) -> dict[str, Any]:
    message = _editable(ctx, p)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(p)
    markup = parse_markup(p.json("reply_markup"))
    return _commit_edit(ctx, message, text=text, entities=entities, reply_markup=markup.inline)


@api_method("editMessageCaption")
async def edit_message_caption(ctx: ApiContext, p: Params) -> dict[str, Any]:
    message = _editable(ctx, p)
    if message.text is not None:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = message_text(p, "caption", MAX_CAPTION)
    markup = parse_markup(p.json("reply_markup"))
    return _commit_edit(
        ctx,
        message,
        caption=caption or None,
        caption_entities=entities,
        reply_markup=markup.inline,
    )


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(ctx: ApiContext, p: Params) -> dict[str, Any]:
    message = _editable(ctx, p)
    markup = parse_markup(p.json("reply_markup"))
    return _commit_edit(ctx, message, reply_markup=markup.inline)


@api_method("deleteMessage")
async def delete_message(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.state.chat(p.chat_id())
    message_id = p.require_int("message_id", "message identifier is not specified")
    if chat.messages.pop(message_id, None) is None:
        raise bad_request(DELETE_NOT_FOUND)
    ctx.state.touch()
    return True


@api_method("deleteMessages")
async def delete_messages(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.state.chat(p.chat_id())
    ids = p.json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 message identifiers")
    for message_id in ids:
        chat.messages.pop(int(message_id), None)
    ctx.state.touch()
    return True
