"""An offline Telegram for tests, at python-telegram-bot's own request layer.

``OfflineTelegram`` is a ``telegram.request.BaseRequest`` (as in the
library's own ``tests/auxil``): the real ``Bot`` and ``Application`` build
real HTTP requests, and this class records each call and answers with the
JSON Telegram would send, keeping every chat's messages so tests can read the
chat as the user sees it, edits included.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import BaseRequest, RequestData

from locales.textlimits import utf16_len

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Scorecard",
    "username": "ScorecardTestBot",
}
TOKEN = "700000001:AAHtestTokenForOfflineTestsOnly0000"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class ChatMessage:
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None
    from_bot: bool
    deleted: bool = False

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


@dataclass
class Failure:
    method: str
    times: int
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class OfflineTelegram(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    chats: dict[int, dict[int, ChatMessage]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    # --- BaseRequest -------------------------------------------------------
    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download (getFile's file_path): an Ogg voice note
            self.calls.append(Call("download", {"url": url}))
            return 200, b"OggS" + bytes(60)
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(name, params))
        for failure in self.failures:
            if failure.method == name and failure.times > 0:
                failure.times -= 1
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": failure.status,
                    "description": failure.description,
                }
                if failure.retry_after is not None:
                    body["parameters"] = {"retry_after": failure.retry_after}
                return failure.status, json.dumps(body).encode()
        handler = getattr(self, f"_api_{name}", None)
        if handler is None:
            return 200, json.dumps({"ok": True, "result": True}).encode()
        result = handler(params)
        if isinstance(result, tuple):  # an error
            status, description = result
            body = {"ok": False, "error_code": status, "description": description}
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # --- test helpers ------------------------------------------------------
    def fail(
        self,
        method: str,
        status: int,
        description: str,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        self.failures.append(Failure(method, times, status, description, retry_after))

    def message_json(self, chat_id: int, message: ChatMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Respondent"},
            "text": message.text,
        }
        if message.from_bot:
            data["from"] = BOT_USER
        if message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    def add_user_message(self, chat_id: int, text: str) -> ChatMessage:
        message = ChatMessage(next(self._ids), text, None, from_bot=False)
        self.chats.setdefault(chat_id, {})[message.message_id] = message
        return message

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.chats.get(chat_id, {}).values() if m.from_bot and not m.deleted]

    def last_bot_message(self, chat_id: int) -> ChatMessage:
        return self.bot_messages(chat_id)[-1]

    def count(self, method: str) -> int:
        return sum(1 for call in self.calls if call.method == method)

    def callback_answers(self) -> list[dict[str, Any]]:
        return [call.params for call in self.calls if call.method == "answerCallbackQuery"]

    # --- Bot API methods ---------------------------------------------------
    def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {
            **BOT_USER,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup:
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data", "")
                    assert len(data.encode()) <= 64, f"callback data over 64 bytes: {data}"
        return markup or None

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        text = str(params["text"])
        if utf16_len(text) > 4096:  # Telegram counts UTF-16 code units
            return 400, "Bad Request: message is too long"
        message = ChatMessage(next(self._ids), text, self._markup(params), from_bot=True)
        self.chats.setdefault(chat_id, {})[message.message_id] = message
        return self.message_json(chat_id, message)

    def _find(self, params: dict[str, Any]) -> tuple[int, ChatMessage] | None:
        chat_id = int(params["chat_id"])
        message = self.chats.get(chat_id, {}).get(int(params["message_id"]))
        if message is None or message.deleted:
            return None
        return chat_id, message

    def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        found = self._find(params)
        if found is None:
            return 400, "Bad Request: message to edit not found"
        chat_id, message = found
        markup = self._markup(params)
        if utf16_len(str(params["text"])) > 4096:
            return 400, "Bad Request: MESSAGE_TOO_LONG"
        if message.text == params["text"] and message.reply_markup == markup:
            return 400, (
                "Bad Request: message is not modified: specified new message content and reply"
                " markup are exactly the same as a current content and reply markup of the message"
            )
        message.text, message.reply_markup = str(params["text"]), markup
        return self.message_json(chat_id, message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        found = self._find(params)
        if found is None:
            return 400, "Bad Request: message to edit not found"
        chat_id, message = found
        markup = self._markup(params)
        if message.reply_markup == markup:
            return 400, "Bad Request: message is not modified"
        message.reply_markup = markup
        return self.message_json(chat_id, message)

    def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        found = self._find(params)
        if found is None:
            return 400, "Bad Request: message to delete not found"
        found[1].deleted = True
        return True

    def _api_getFile(self, params: dict[str, Any]) -> Any:
        file_id = params["file_id"]
        return {
            "file_id": file_id,
            "file_unique_id": f"{file_id}u",
            "file_size": 64,
            "file_path": f"voice/{file_id}.oga",
        }

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        return []

    def _media_message(self, chat_id: int, caption: str) -> tuple[ChatMessage, dict[str, Any]]:
        message = ChatMessage(next(self._ids), caption, None, from_bot=True)
        self.chats.setdefault(chat_id, {})[message.message_id] = message
        return message, self.message_json(chat_id, message)

    def _photo_json(self, chat_id: int, caption: str) -> dict[str, Any]:
        message, data = self._media_message(chat_id, caption)
        data["photo"] = [
            {
                "file_id": f"photo{message.message_id}",
                "file_unique_id": f"u{message.message_id}",
                "width": 800,
                "height": 600,
            }
        ]
        return data

    def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._photo_json(int(params["chat_id"]), str(params.get("caption", "")))

    def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        message, data = self._media_message(int(params["chat_id"]), str(params.get("caption", "")))
        data["document"] = {
            "file_id": f"doc{message.message_id}",
            "file_unique_id": f"d{message.message_id}",
        }
        return data

    def _api_sendMediaGroup(self, params: dict[str, Any]) -> Any:
        media = params.get("media")
        if isinstance(media, str):
            media = json.loads(media)
        chat_id = int(params["chat_id"])
        return [self._photo_json(chat_id, str(item.get("caption", ""))) for item in media or []]
