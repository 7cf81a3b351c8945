"""Everything the fake Telegram remembers: users, chats, messages, files, queries, calls."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import (
    BLOCKED,
    CHAT_NOT_FOUND,
    FILE_ID_INVALID,
    QUERY_TOO_OLD,
    ApiError,
    bad_request,
    forbidden,
)
from .faults import FaultPlan
from .model import (
    BotIdentity,
    CallbackQuery,
    CallRecord,
    Sender,
    SimUser,
    StoredFile,
    StoredMessage,
    WebhookConfig,
    now,
)
from .updates import UpdateQueue

CHAT_ACTION_SECONDS = 5.0


@dataclass
class ChatLog:
    """A private chat between the bot and one simulated user (chat id == user id)."""

    user: SimUser
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: dict[str, Any] | None = None
    action: str | None = None
    action_at: float = 0.0

    @property
    def chat_instance(self) -> str:
        return str(int(hashlib.sha1(str(self.user.id).encode()).hexdigest()[:15], 16))

    def current_action(self) -> str | None:
        if self.action and time.time() - self.action_at < CHAT_ACTION_SECONDS:
            return self.action
        return None


class BotState:
    def __init__(
        self, bot: BotIdentity, callback_ttl: float = 15.0, first_message_id: int = 1
    ) -> None:
        self.bot = bot
        self.callback_ttl = callback_ttl
        # Telegram never numbers a chat's messages from 1 again: a playground restarted
        # on an existing database starts above every id the bot has stored.
        self.first_message_id = max(1, first_message_id)
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, ChatLog] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.webhook: WebhookConfig | None = None
        self.calls: list[CallRecord] = []
        self.faults = FaultPlan()
        self.updates = UpdateQueue()
        self._media_group_seq = 0

    def reset(self) -> None:
        """Forget users, chats, files, queries, calls, faults and pending updates.

        update_id keeps counting up, so a bot that is still polling keeps working.
        """
        self.users.clear()
        self.chats.clear()
        self.files.clear()
        self.callback_queries.clear()
        self.commands.clear()
        self.calls.clear()
        self.faults.clear()
        self.webhook = None
        self.updates.drop_pending()
        self.updates.history.clear()
        self.updates.duplicate_next = 0
        self.touch()

    # -- change notification -------------------------------------------------------
    @property
    def signal(self):
        return self.updates.signal

    def touch(self) -> None:
        self.updates.signal.fire()

    # -- users and chats -----------------------------------------------------------
    def add_user(
        self,
        user_id: int | None = None,
        first_name: str = "Test User",
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "vi",
    ) -> SimUser:
        if user_id is None:
            user_id = max([100000000, *self.users]) + 1
        if user_id in self.users:
            return self.users[user_id]
        user = SimUser(user_id, first_name, username, last_name, language_code)
        self.users[user_id] = user
        self.chats[user_id] = ChatLog(user, next_message_id=self.first_message_id)
        self.touch()
        return user

    def chat(self, chat_id: int) -> ChatLog:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise ApiError(400, CHAT_NOT_FOUND) from None

    def writable_chat(self, chat_id: int) -> ChatLog:
        chat = self.chat(chat_id)
        if chat.user.blocked:
            raise forbidden(BLOCKED)
        return chat

    def add_message(self, chat: ChatLog, sender: Sender, **fields: Any) -> StoredMessage:
        from_user = self.bot.user() if sender == "bot" else chat.user.user()
        message = StoredMessage(
            message_id=chat.next_message_id,
            chat_id=chat.user.id,
            sender=sender,
            from_user=from_user,
            chat=chat.user.chat(),
            date=now(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if sender == "bot":
            chat.action = None
        self.touch()
        return message

    def message(self, chat_id: int, message_id: int, missing: str) -> StoredMessage:
        chat = self.chat(chat_id)
        found = chat.messages.get(message_id)
        if found is None:
            raise bad_request(missing)
        return found

    def next_media_group_id(self) -> str:
        self._media_group_seq += 1
        return str(13000000000000000 + self._media_group_seq)

    # -- files ---------------------------------------------------------------------
    def add_file(
        self,
        data: bytes,
        kind: str,
        uploaded_by: Sender,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        folder = {"photo": "photos", "document": "documents", "voice": "voice"}.get(
            kind, kind + "s"
        )
        extension = _extension(file_name, mime_type, kind)
        stored = StoredFile(
            file_id=_file_id(kind),
            file_unique_id=secrets.token_urlsafe(12).replace("-", "A").replace("_", "B")[:15],
            file_path=f"{folder}/file_{len(self.files)}{extension}",
            data=data,
            kind=kind,
            uploaded_by=uploaded_by,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self.touch()
        return stored

    def file(self, file_id: str) -> StoredFile:
        try:
            return self.files[file_id]
        except KeyError:
            raise bad_request(FILE_ID_INVALID) from None

    def file_by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.files.values() if f.file_path == path), None)

    # -- callback queries ----------------------------------------------------------
    def add_callback_query(self, user: SimUser, message: StoredMessage, data: str) -> CallbackQuery:
        query = CallbackQuery(
            id=str(secrets.randbelow(9 * 10**18) + 10**18),
            user_id=user.id,
            chat_id=message.chat_id,
            message_id=message.message_id,
            data=data,
        )
        self.callback_queries[query.id] = query
        return query

    def answer_callback_query(self, query_id: str, answer: dict[str, Any]) -> None:
        query = self.callback_queries.get(query_id)
        if (
            query is None
            or query.answer is not None
            or time.monotonic() - query.created > self.callback_ttl
        ):
            raise bad_request(QUERY_TOO_OLD)
        query.answer = answer
        query.answered_at = time.time()
        self.touch()

    def expire_callback_queries(self) -> int:
        expired = 0
        for query in self.callback_queries.values():
            if query.answer is None:
                query.created -= self.callback_ttl + 1
                expired += 1
        return expired

    # -- call log ------------------------------------------------------------------
    def record_call(self, method: str, params: dict[str, Any]) -> CallRecord:
        record = CallRecord(seq=len(self.calls) + 1, method=method, params=params, time=time.time())
        self.calls.append(record)
        return record


def _file_id(kind: str) -> str:
    prefix = {"photo": "AgACAgIAAxk", "document": "BQACAgIAAxk", "voice": "AwACAgIAAxk"}
    return prefix.get(kind, "CAACAgIAAxk") + secrets.token_urlsafe(40)


def _extension(file_name: str | None, mime_type: str | None, kind: str) -> str:
    if file_name and "." in file_name:
        return "." + file_name.rsplit(".", 1)[1].lower()
    by_mime = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "audio/ogg": ".oga",
        "image/webp": ".webp",
    }
    if mime_type in by_mime:
        return by_mime[mime_type]
    return {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}.get(kind, "")
