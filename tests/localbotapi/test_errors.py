"""Telegram's error responses, and injected faults, as python-telegram-bot sees them."""

from __future__ import annotations

import asyncio
import datetime as dt

import aiohttp
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from localbotapi import ControlClient, LocalBotApiServer, SimulatedUser

from .conftest import TOKEN

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])


async def _raw(server: LocalBotApiServer, path: str, **json: object) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.root_url}{path}", json=json) as response,
    ):
        return response.status, await response.json()


async def test_edit_that_changes_nothing_is_not_modified(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    sent = await bot.send_message(user.id, "Câu 1", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Câu 1", user.id, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=KEYBOARD)


async def test_not_modified_has_telegrams_exact_text(
    server: LocalBotApiServer, user: SimulatedUser, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(user.id, "x")
    status, body = await _raw(
        server,
        f"/bot{TOKEN}/editMessageText",
        chat_id=user.id,
        message_id=sent.message_id,
        text="x",
    )
    assert status == 400
    assert body == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is not modified: specified new message content "
        "and reply markup are exactly the same as a current content and reply markup of the "
        "message",
    }


async def test_edit_without_reply_markup_removes_keyboard(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    sent = await bot.send_message(user.id, "Câu 1", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Câu 1", user.id, sent.message_id)
    assert edited.reply_markup is None
    [message] = await user.chat()
    assert message.buttons == [] and message.edited


async def test_edit_and_delete_of_missing_message(bot: telegram.Bot, user: SimulatedUser) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", user.id, 999)
    sent = await bot.send_message(user.id, "tạm thời")
    assert await bot.delete_message(user.id, sent.message_id)
    assert await user.chat() == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_unknown_chat_and_validation_errors(bot: telegram.Bot, user: SimulatedUser) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hello")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(user.id, "a" * 4097)
    assert (await bot.send_message(user.id, "a" * 4096)).text == "a" * 4096
    long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(user.id, "x", reply_markup=long_data)
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await bot.send_message(user.id, "<script>x</script>", parse_mode="HTML")


async def test_callback_query_expires(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    await bot.send_message(user.id, "Q", reply_markup=KEYBOARD)
    await user.press("ok")
    await user.press("ok")
    first, second = await bot.get_updates()
    assert await bot.answer_callback_query(first.callback_query.id, "saved")
    with pytest.raises(BadRequest, match="Query is too old"):  # answered twice
        await bot.answer_callback_query(first.callback_query.id)
    await control.expire_callback_queries()
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(second.callback_query.id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("12345")


async def test_callback_query_ttl_is_real_time(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    await control.set_callback_query_ttl(0.05)
    await bot.send_message(user.id, "Q", reply_markup=KEYBOARD)
    await user.press("ok")
    [update] = await bot.get_updates()
    await asyncio.sleep(0.1)
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer()


async def test_blocked_user_is_forbidden(bot: telegram.Bot, user: SimulatedUser) -> None:
    await user.block()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "bạn còn đó không?")
    await user.unblock()
    assert await bot.send_message(user.id, "chào lại")


async def test_injected_faults_surface_as_ptb_errors(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    await control.fail_next("sendMessage", "retry_after", count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "x")
        assert caught.value.retry_after in (7, dt.timedelta(seconds=7))
    await control.fail_next("sendMessage", "forbidden")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "x")
    await control.fail_next("sendmessage", "bad_request", description="Bad Request: custom")
    with pytest.raises(BadRequest, match="Custom"):
        await bot.send_message(user.id, "x")
    await control.fail_next("*", "drop")
    with pytest.raises(NetworkError):
        await bot.send_message(user.id, "x")
    assert (await bot.send_message(user.id, "finally")).text == "finally"
    calls = await control.calls("sendMessage")
    assert [c["fault"] for c in calls] == [
        "retry_after",
        "retry_after",
        "forbidden",
        "bad_request",
        "drop",
        None,
    ]
    assert [m.text for m in await user.chat()] == ["finally"]


async def test_429_payload_carries_retry_after(
    server: LocalBotApiServer, control: ControlClient, user: SimulatedUser
) -> None:
    await control.fail_next("sendMessage", "retry_after", retry_after=3)
    status, body = await _raw(server, f"/bot{TOKEN}/sendMessage", chat_id=user.id, text="x")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }


async def test_unknown_method_and_invalid_token(server: LocalBotApiServer) -> None:
    assert await _raw(server, f"/bot{TOKEN}/sendTeleportation") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, body = await _raw(server, "/bot999:wrong/getMe")
    assert (status, body["description"]) == (401, "Unauthorized")
    with pytest.raises(InvalidToken):
        await telegram.Bot("999:wrong", base_url=server.base_url).get_me()
