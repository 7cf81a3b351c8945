"""getMe, commands, chat actions, callback answers and other small methods."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from ..errors import bad_request
from ..params import Params
from .registry import ApiContext, api_method

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@api_method("getMe")
async def get_me(ctx: ApiContext, p: Params) -> dict[str, Any]:
    return ctx.state.bot.get_me()


@api_method("close", "logOut")
async def close(ctx: ApiContext, p: Params) -> bool:
    return True


@api_method(
    "setMyDescription",
    "setMyShortDescription",
    "setMyName",
    "setChatMenuButton",
    "setMyDefaultAdministratorRights",
)
async def accept_setting(ctx: ApiContext, p: Params) -> bool:
    return True


def _commands_key(p: Params) -> str:
    scope = p.json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (p.str("language_code") or "")


@api_method("setMyCommands")
async def set_my_commands(ctx: ApiContext, p: Params) -> bool:
    commands = p.json("commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    cleaned = []
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        description = str(command.get("description", "")) if isinstance(command, dict) else ""
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("command description must be non-empty")
        cleaned.append({"command": name, "description": description})
    ctx.state.commands[_commands_key(p)] = cleaned
    ctx.state.touch()
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: ApiContext, p: Params) -> list[dict[str, Any]]:
    return ctx.state.commands.get(_commands_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: ApiContext, p: Params) -> bool:
    ctx.state.commands.pop(_commands_key(p), None)
    ctx.state.touch()
    return True


@api_method("sendChatAction")
async def send_chat_action(ctx: ApiContext, p: Params) -> bool:
    chat = ctx.state.writable_chat(p.chat_id())
    action = p.str("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.action = action
    chat.action_at = time.time()
    ctx.state.touch()
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(ctx: ApiContext, p: Params) -> bool:
    text = p.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    ctx.state.answer_callback_query(
        p.require_str("callback_query_id"),
        {
            "text": text,
            "show_alert": p.bool("show_alert"),
            "url": p.str("url"),
            "cache_time": p.int("cache_time", 0),
        },
    )
    return True
