"""setWebhook: updates are POSTed to the bot with the secret header, in order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
import telegram
from aiohttp import web
from telegram.error import Conflict

from localbotapi import ControlClient, SimulatedUser


class Receiver:
    """A tiny webhook endpoint that records what Telegram (here: localbotapi) posts."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict]] = []
        self.arrived = asyncio.Event()
        self.fail_first = 0
        self.reply: dict | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.received.append((secret, await request.json()))
        self.arrived.set()
        if self.reply is not None:
            return web.Response(text=json.dumps(self.reply), content_type="application/json")
        return web.Response(text="")

    async def wait_count(self, count: int, timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/hook", hook.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    hook.url = f"http://127.0.0.1:{port}/hook"
    yield hook
    await runner.cleanup()


async def test_updates_are_posted_with_secret_token(
    bot: telegram.Bot, user: SimulatedUser, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cret-token_1")
    await user.send_command("/start")
    await user.send_text("hai")
    await receiver.wait_count(2)
    assert [secret for secret, _ in receiver.received] == ["s3cret-token_1"] * 2
    updates = [telegram.Update.de_json(body, bot) for _, body in receiver.received]
    assert [u.message.text for u in updates] == ["/start", "hai"]
    assert updates[0].update_id < updates[1].update_id
    info = await bot.get_webhook_info()
    assert info.url == receiver.url and info.pending_update_count == 0


async def test_get_updates_conflicts_while_webhook_is_set(
    bot: telegram.Bot, receiver: Receiver
) -> None:
    await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_failed_delivery_is_retried_and_reported(
    bot: telegram.Bot, user: SimulatedUser, receiver: Receiver
) -> None:
    receiver.fail_first = 1
    await bot.set_webhook(receiver.url)
    await user.send_text("thử lại")
    await receiver.wait_count(1)
    assert receiver.received[0][1]["message"]["text"] == "thử lại"
    info = await bot.get_webhook_info()
    assert "500" in (info.last_error_message or "")


async def test_duplicate_update_is_posted_twice(
    bot: telegram.Bot, user: SimulatedUser, receiver: Receiver, control: ControlClient
) -> None:
    await bot.set_webhook(receiver.url)
    await control.duplicate_next_update()
    await user.send_text("hai lần")
    await receiver.wait_count(2)
    ids = [body["update_id"] for _, body in receiver.received]
    assert ids[0] == ids[1]


async def test_method_in_webhook_response_is_executed(
    bot: telegram.Bot, user: SimulatedUser, receiver: Receiver
) -> None:
    receiver.reply = {"method": "sendMessage", "chat_id": user.id, "text": "trả lời nhanh"}
    await bot.set_webhook(receiver.url)
    await user.send_text("ping")
    reply = await user.wait_for_bot_message("trả lời nhanh")
    assert reply.from_bot
