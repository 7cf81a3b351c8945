"""Drive the real Application with updates shaped like Telegram's."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from tests.auxil.offline import TOKEN, ChatMessage, OfflineTelegram

_update_ids = itertools.count(1)
_query_ids = itertools.count(1)


@dataclass
class Person:
    id: int
    language_code: str = "vi"
    first_name: str = "Lan"

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "username": f"user{self.id}",
            "language_code": self.language_code,
        }


def make_settings(database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"telegram": {"token": TOKEN}, "storage": {"database": str(database)}}
    values.update(overrides)
    return Settings(**values)


class Harness:
    """One running Application on a real SQLite file, fed updates by the test."""

    def __init__(self, settings: Settings, telegram: OfflineTelegram | None = None) -> None:
        self.settings = settings
        self.telegram = telegram or OfflineTelegram()
        self.app: Application = build_application(  # type: ignore[type-arg]
            settings, request=self.telegram, rate_limiter=False
        )

    async def __aenter__(self) -> Harness:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    @property
    def services(self) -> Any:
        return self.app.bot_data.services

    async def feed(self, data: dict[str, Any]) -> Update:
        data = {"update_id": next(_update_ids), **data}
        update = Update.de_json(data, self.app.bot)
        await self.app.process_update(update)
        return update

    async def text(self, person: Person, text: str) -> None:
        message = self.telegram.add_user_message(person.id, text)
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": person.json(),
            "text": text,
        }
        if text.startswith("/"):
            data["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        await self.feed({"message": data})

    async def send_other(self, person: Person, kind: str = "sticker") -> None:
        message = self.telegram.add_user_message(person.id, "")
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": person.json(),
        }
        if kind == "sticker":
            data["sticker"] = {
                "file_id": "s1",
                "file_unique_id": "s1",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        elif kind == "photo":
            data["photo"] = [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]
        else:
            data["voice"] = {"file_id": "v1", "file_unique_id": "v1", "duration": 2}
        await self.feed({"message": data})

    async def send_voice(
        self, person: Person, file_id: str = "v1", duration: int = 2, file_size: int = 64
    ) -> None:
        message = self.telegram.add_user_message(person.id, "")
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": person.id, "type": "private"},
            "from": person.json(),
            "voice": {
                "file_id": file_id,
                "file_unique_id": f"{file_id}u",
                "duration": duration,
                "file_size": file_size,
            },
        }
        await self.feed({"message": data})

    async def press_data(
        self, person: Person, data: str, message: ChatMessage | None = None
    ) -> Update:
        message = message or self.telegram.last_bot_message(person.id)
        query = {
            "id": str(next(_query_ids)),
            "from": person.json(),
            "chat_instance": str(person.id * 7),
            "data": data,
            "message": self.telegram.message_json(person.id, message),
        }
        return await self.feed({"callback_query": query})

    def screen(self, person: Person) -> ChatMessage:
        return self.telegram.last_bot_message(person.id)

    def button(self, person: Person, label: str, message: ChatMessage | None = None) -> str:
        message = message or self.screen(person)
        for button in message.buttons():
            if label in button["text"]:
                return button["callback_data"]
        raise AssertionError(f"no button {label!r} in {[b['text'] for b in message.buttons()]}")

    async def press(self, person: Person, label: str, message: ChatMessage | None = None) -> None:
        message = message or self.screen(person)
        await self.press_data(person, self.button(person, label, message), message)
