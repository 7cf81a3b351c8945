"""Plain data objects held by the server and their Bot API JSON shapes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

Sender = Literal["bot", "user"]


def now() -> int:
    """Telegram dates are integer Unix seconds."""
    return int(time.time())


@dataclass
class BotIdentity:
    id: int
    first_name: str = "Local Test Bot"
    username: str = "local_test_bot"

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> dict[str, Any]:
        return {
            **self.user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class SimUser:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = "vi"
    blocked: bool = False

    def user(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "first_name": self.first_name, "type": "private"}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    def control_view(self) -> dict[str, Any]:
        return {**self.user(), "blocked": self.blocked}


@dataclass
class StoredMessage:
    message_id: int
    chat_id: int
    sender: Sender
    from_user: dict[str, Any]
    chat: dict[str, Any]
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    media: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    media_group_id: str | None = None
    reply_to: StoredMessage | None = None

    def to_api(self, nested: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.from_user,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.media_group_id is not None:
            data["media_group_id"] = self.media_group_id
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        data.update(self.media)
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        if self.reply_markup is not None:
            data["reply_markup"] = self.reply_markup
        if self.reply_to is not None and not nested:
            data["reply_to_message"] = self.reply_to.to_api(nested=True)
        return data

    def control_view(self) -> dict[str, Any]:
        """The message as the simulated user sees it, for the control API and playground."""
        return {**self.to_api(), "sender": self.sender, "edited": self.edit_date is not None}

    def content_key(self) -> tuple[Any, ...]:
        """What an edit must change to avoid 'message is not modified'."""
        return (self.text, self.entities, self.caption, self.caption_entities, self.reply_markup)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    kind: str
    uploaded_by: Sender
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    created: int = field(default_factory=now)

    def get_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def control_view(self) -> dict[str, Any]:
        return {
            **self.get_file(),
            "kind": self.kind,
            "uploaded_by": self.uploaded_by,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "created": self.created,
        }


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] | None = None
    answered_at: float | None = None


@dataclass
class PendingUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]
    duplicate: bool = False

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


@dataclass
class CallRecord:
    seq: int
    method: str
    params: dict[str, Any]
    time: float
    ok: bool = True
    error_code: int | None = None
    description: str | None = None
    fault: str | None = None

    def view(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "params": self.params,
            "time": self.time,
            "ok": self.ok,
            "error_code": self.error_code,
            "description": self.description,
            "fault": self.fault,
        }
