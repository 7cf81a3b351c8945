"""Validation and normalisation of reply_markup, with Telegram's error texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import BUTTON_DATA_INVALID, bad_request

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


@dataclass
class Markup:
    """``inline`` goes into the Message; ``reply_keyboard``/``remove`` change the chat input."""

    inline: dict[str, Any] | None = None
    reply_keyboard: dict[str, Any] | None = None
    remove_keyboard: bool = False


def parse_markup(raw: Any) -> Markup:
    if raw is None:
        return Markup()
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return Markup(inline={"inline_keyboard": _inline_rows(raw["inline_keyboard"])})
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        keyboard = [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]
        return Markup(reply_keyboard={**raw, "keyboard": keyboard})
    if raw.get("remove_keyboard"):
        return Markup(remove_keyboard=True)
    if raw.get("force_reply"):
        return Markup()
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    return [[_inline_button(button) for button in row] for row in rows]


def _inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t find field "text"')
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
        raise bad_request(BUTTON_DATA_INVALID)
    url = button.get("url")
    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")
    return {key: button[key] for key in ("text", *_INLINE_ACTIONS) if key in button}


def find_inline_button(markup: dict[str, Any] | None, wanted: str) -> dict[str, Any] | None:
    """A button whose callback_data or text equals ``wanted`` (callback_data wins)."""
    if not markup:
        return None
    buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
    for key in ("callback_data", "text"):
        for button in buttons:
            if button.get(key) == wanted:
                return button
    return None
