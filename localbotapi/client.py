"""Async Python client for the control API: simulated users, inspection, fault injection."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp

T = TypeVar("T")


@dataclass
class ChatMessage:
    """A message as the simulated user currently sees it (after edits and deletions)."""

    message_id: int
    sender: str
    text: str | None
    caption: str | None
    edited: bool
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> ChatMessage:
        markup = view.get("reply_markup") or {}
        return cls(
            message_id=view["message_id"],
            sender=view["sender"],
            text=view.get("text"),
            caption=view.get("caption"),
            edited=view.get("edited", False),
            buttons=markup.get("inline_keyboard", []),
            raw=view,
        )

    @property
    def from_bot(self) -> bool:
        return self.sender == "bot"

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def file_ids(self) -> list[str]:
        ids = []
        for key in ("document", "voice", "audio", "video", "animation", "sticker"):
            if key in self.raw:
                ids.append(self.raw[key]["file_id"])
        ids.extend(size["file_id"] for size in self.raw.get("photo", []))
        return ids


class ControlClient:
    """``async with ControlClient(server.control_url) as control: ...``"""

    def __init__(self, control_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.control_url = control_url.rstrip("/")
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> ControlClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(
        self, verb: str, path: str, json: Any = None, query: dict[str, Any] | None = None
    ) -> Any:
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self.session.request(
            verb, f"{self.control_url}{path}", json=json, params=params
        ) as response:
            body = await response.json()
            if response.status >= 400:
                raise ControlError(response.status, body.get("error", str(body)))
            return body

    # -- users ---------------------------------------------------------------------
    async def create_user(
        self,
        first_name: str = "Lan",
        user_id: int | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        last_name: str | None = None,
    ) -> SimulatedUser:
        body = {
            "id": user_id,
            "first_name": first_name,
            "username": username,
            "language_code": language_code,
            "last_name": last_name,
        }
        return SimulatedUser(self, await self.request("POST", "/users", json=body))

    async def users(self) -> list[SimulatedUser]:
        return [SimulatedUser(self, u) for u in await self.request("GET", "/users")]

    # -- inspection ----------------------------------------------------------------
    async def state(self) -> dict[str, Any]:
        return await self.request("GET", "/state")

    async def calls(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Recorded Bot API calls: ``{seq, method, params, time, ok, error_code, fault}``."""
        return await self.request("GET", "/calls", query={"method": method, "since": since})

    async def clear_calls(self) -> None:
        await self.request("DELETE", "/calls")

    async def updates(self) -> dict[str, Any]:
        return await self.request("GET", "/updates")

    async def files(self, uploaded_by: str | None = None) -> list[dict[str, Any]]:
        return await self.request("GET", "/files", query={"uploaded_by": uploaded_by})

    async def file_content(self, file_id: str) -> bytes:
        async with self.session.get(f"{self.control_url}/files/{file_id}/content") as response:
            if response.status != 200:
                raise ControlError(response.status, "no such file")
            return await response.read()

    async def callback_answers(self, user_id: int | None = None) -> list[dict[str, Any]]:
        return await self.request("GET", "/callback_answers", query={"user_id": user_id})

    async def wait_for_change(self, since: int, timeout: float = 25.0) -> int:
        body = await self.request("GET", "/changes", query={"since": since, "timeout": timeout})
        return int(body["version"])

    # -- faults and configuration ----------------------------------------------------
    async def fail_next(
        self,
        method: str,
        kind: str = "retry_after",
        count: int = 1,
        retry_after: int = 5,
        description: str | None = None,
        delay: float = 1.0,
    ) -> dict[str, Any]:
        """Kinds: retry_after (429), forbidden (403), bad_request (400), server_error (500),
        drop (close the socket without a response), delay (answer normally after ``delay`` s)."""
        body = {
            "method": method,
            "kind": kind,
            "count": count,
            "retry_after": retry_after,
            "description": description,
            "delay": delay,
        }
        return await self.request("POST", "/faults", json=body)

    async def clear_faults(self) -> None:
        await self.request("DELETE", "/faults")

    async def duplicate_next_update(self, count: int = 1) -> None:
        await self.request("POST", "/duplicate_next_update", json={"count": count})

    async def push_raw_update(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update as given, unchecked (say, one a bot library cannot parse)."""
        body = await self.request("POST", "/raw_update", json={"kind": kind, "payload": payload})
        return int(body["update_id"])

    async def reset(self) -> None:
        """Start from a clean slate between tests sharing one server (update_id keeps rising)."""
        await self.request("POST", "/reset")

    async def set_callback_query_ttl(self, seconds: float) -> None:
        await self.request("POST", "/config", json={"callback_query_ttl": seconds})

    async def expire_callback_queries(self) -> int:
        return int((await self.request("POST", "/callback_queries/expire"))["expired"])


class ControlError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class SimulatedUser:
    """A Telegram user chatting privately with the bot (chat id == user id)."""

    def __init__(self, client: ControlClient, view: dict[str, Any]) -> None:
        self.client = client
        self.id: int = view["id"]
        self.first_name: str = view["first_name"]
        self.username: str | None = view.get("username")
        self.language_code: str | None = view.get("language_code")

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.first_name!r})"

    def _path(self, suffix: str) -> str:
        return f"/users/{self.id}/{suffix}"

    async def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.client.request("POST", self._path("messages"), json=body)

    async def send_text(self, text: str, reply_to_message_id: int | None = None) -> dict[str, Any]:
        """Send a text message; returns ``{"message": ..., "update_id": ...}``."""
        return await self._send({"text": text, "reply_to_message_id": reply_to_message_id})

    async def send_command(self, command: str, payload: str | None = None) -> dict[str, Any]:
        command = command if command.startswith("/") else "/" + command
        return await self.send_text(f"{command} {payload}" if payload else command)

    async def send_photo(
        self, data: bytes | None = None, caption: str | None = None
    ) -> dict[str, Any]:
        return await self._send({"photo": True, "caption": caption, **_data(data)})

    async def send_sticker(self) -> dict[str, Any]:
        return await self._send({"sticker": True})

    async def send_voice(self, data: bytes | None = None, duration: int = 1) -> dict[str, Any]:
        return await self._send({"voice": True, "duration": duration, **_data(data)})

    async def send_document(
        self, data: bytes, file_name: str = "file.bin", mime_type: str | None = None
    ) -> dict[str, Any]:
        body = {"document": True, "file_name": file_name, "mime_type": mime_type, **_data(data)}
        return await self._send(body)

    async def press(self, button: str, message_id: int | None = None) -> dict[str, Any]:
        """Press an inline button by callback_data or text (newest message first), or a
        reply-keyboard button by text."""
        body = {"button": button, "message_id": message_id}
        return await self.client.request("POST", self._path("press"), json=body)

    async def block(self) -> None:
        await self.client.request("POST", self._path("block"))

    async def unblock(self) -> None:
        await self.client.request("POST", self._path("unblock"))

    async def set_language(self, language_code: str) -> None:
        await self.client.request(
            "POST", self._path("settings"), json={"language_code": language_code}
        )
        self.language_code = language_code

    async def chat_state(self) -> dict[str, Any]:
        return await self.client.request("GET", self._path("chat"))

    async def chat(self) -> list[ChatMessage]:
        return [ChatMessage.from_view(m) for m in (await self.chat_state())["messages"]]

    async def bot_messages(self) -> list[ChatMessage]:
        return [m for m in await self.chat() if m.from_bot]

    async def wait_for(
        self, predicate: Callable[[list[ChatMessage]], T], timeout: float = 5.0
    ) -> T:
        """Wait until ``predicate(chat)`` is truthy and return its value (woken on changes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = await self.chat_state()
            messages = [ChatMessage.from_view(m) for m in state["messages"]]
            result = predicate(messages)
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                shown = [(m.sender, m.text or m.caption, m.button_texts) for m in messages]
                raise TimeoutError(f"condition not met within {timeout}s; chat is {shown}")
            await self.client.wait_for_change(state["version"], min(remaining, 25.0))

    async def wait_for_bot_message(
        self, contains: str = "", after: int = 0, timeout: float = 5.0
    ) -> ChatMessage:
        """The first bot message with id > ``after`` whose text/caption contains ``contains``."""

        def find(messages: list[ChatMessage]) -> ChatMessage | None:
            return next(
                (
                    m
                    for m in messages
                    if m.from_bot
                    and m.message_id > after
                    and contains in (m.text or m.caption or "")
                ),
                None,
            )

        return await self.wait_for(find, timeout)

    async def callback_answers(self) -> list[dict[str, Any]]:
        return await self.client.callback_answers(self.id)

    async def uploaded_files(self) -> list[dict[str, Any]]:
        """Files attached to messages in this chat (sent by the bot or by the user)."""
        ids = {file_id for m in await self.chat() for file_id in m.file_ids}
        return [f for f in await self.client.files() if f["file_id"] in ids]


def _data(data: bytes | None) -> dict[str, Any]:
    return {"data_base64": base64.b64encode(data).decode()} if data is not None else {}
