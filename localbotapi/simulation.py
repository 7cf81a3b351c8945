"""What simulated users do: send messages and media, press buttons, block the bot."""

from __future__ import annotations

import base64
from typing import Any

from .formatting import command_entities
from .markup import find_inline_button
from .media import media_fields, tiny_png
from .methods.media import store_bytes
from .model import PendingUpdate, SimUser, StoredMessage, now
from .state import BotState

_PLACEHOLDER_BYTES = {
    "voice": b"OggS" + bytes(60),
    "sticker": b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(32),
    "document": b"%PDF-1.4\n% local bot api\n",
}


class SimulationError(ValueError):
    """A user action that a real Telegram client would not allow."""


def send_message(
    state: BotState, user: SimUser, body: dict[str, Any]
) -> tuple[StoredMessage, PendingUpdate]:
    """``body``: text | photo | sticker | voice | document (+ data_base64, caption, reply_to...)."""
    chat = state.chat(user.id)
    fields: dict[str, Any] = {}
    text = body.get("text")
    if isinstance(text, str) and text:
        fields["text"] = text
        fields["entities"] = command_entities(text)
        _apply_reply_keyboard(state, user.id, text)
    else:
        kind = next((k for k in ("photo", "sticker", "voice", "document") if body.get(k)), None)
        if kind is None:
            raise SimulationError("message needs text, photo, sticker, voice or document")
        raw = body.get("data_base64")
        data = base64.b64decode(raw) if raw else _placeholder(kind)
        stored = store_bytes(
            state, data, kind, "user", body.get("file_name"), body.get("mime_type")
        )
        fields["media"] = media_fields(
            stored, int(body.get("duration", 1 if kind == "voice" else 0))
        )
        if body.get("caption"):
            fields["caption"] = str(body["caption"])
            fields["caption_entities"] = command_entities(fields["caption"])
    reply_to_id = body.get("reply_to_message_id")
    if reply_to_id is not None:
        fields["reply_to"] = chat.messages.get(int(reply_to_id))
    message = state.add_message(chat, "user", **fields)
    update = state.updates.push("message", message.to_api())
    return message, update


def _placeholder(kind: str) -> bytes:
    return tiny_png() if kind == "photo" else _PLACEHOLDER_BYTES[kind]


def _apply_reply_keyboard(state: BotState, chat_id: int, text: str) -> None:
    keyboard = state.chat(chat_id).reply_keyboard
    if not keyboard or not keyboard.get("one_time_keyboard"):
        return
    if any(button.get("text") == text for row in keyboard["keyboard"] for button in row):
        state.chat(chat_id).reply_keyboard = None


def press(
    state: BotState, user: SimUser, button: str, message_id: int | None = None
) -> dict[str, Any]:
    """Press an inline button (by callback_data or text), or a reply keyboard button.

    Without ``message_id`` the newest bot message carrying a matching button is used.
    Returns ``{"kind": "callback_query" | "message", "update_id": ..., ...}``.
    """
    chat = state.chat(user.id)
    candidates = sorted(chat.messages.values(), key=lambda m: m.message_id, reverse=True)
    if message_id is not None:
        candidates = [m for m in candidates if m.message_id == message_id]
        if not candidates:
            raise SimulationError(f"message {message_id} is not in the chat")
    for message in candidates:
        if message.sender != "bot":
            continue
        found = find_inline_button(message.reply_markup, button)
        if found is None:
            continue
        if "callback_data" not in found:
            raise SimulationError(f"button {button!r} has no callback_data ({sorted(found)})")
        query = state.add_callback_query(user, message, found["callback_data"])
        payload = {
            "id": query.id,
            "from": user.user(),
            "message": message.to_api(),
            "chat_instance": chat.chat_instance,
            "data": found["callback_data"],
        }
        update = state.updates.push("callback_query", payload)
        return {
            "kind": "callback_query",
            "callback_query_id": query.id,
            "message_id": message.message_id,
            "update_id": update.update_id,
        }
    keyboard = chat.reply_keyboard
    if (
        message_id is None
        and keyboard
        and any(b.get("text") == button for row in keyboard["keyboard"] for b in row)
    ):
        sent, update = send_message(state, user, {"text": button})
        return {"kind": "message", "message_id": sent.message_id, "update_id": update.update_id}
    raise SimulationError(f"no button {button!r} in the chat")


def set_blocked(state: BotState, user: SimUser, blocked: bool) -> PendingUpdate | None:
    """Block/unblock the bot; emits ``my_chat_member`` (kicked / member) like Telegram."""
    if user.blocked == blocked:
        return None
    user.blocked = blocked
    bot_user = state.bot.user()
    old = {"user": bot_user, "status": "member"}
    new: dict[str, Any] = {"user": bot_user, "status": "kicked", "until_date": 0}
    if not blocked:
        old, new = new, old
    payload = {
        "chat": user.chat(),
        "from": user.user(),
        "date": now(),
        "old_chat_member": old,
        "new_chat_member": new,
    }
    return state.updates.push("my_chat_member", payload)
