"""Control API, playground page, background-thread mode and the CLI."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import telegram
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from localbotapi import ControlClient, LocalBotApiServer, SimulatedUser

from .conftest import TOKEN

HERE = Path(__file__).parent


async def test_call_log_records_method_params_and_time(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    await bot.send_message(user.id, "một")
    await bot.send_message(user.id, "một")
    calls = await control.calls("sendMessage")
    assert [c["params"]["text"] for c in calls] == ["một", "một"]
    assert all(c["ok"] and c["time"] > 0 for c in calls)
    assert int(calls[0]["params"]["chat_id"]) == user.id
    everything = await control.calls()
    assert [c["method"] for c in everything][-2:] == ["sendMessage", "sendMessage"]
    later = await control.calls(since=calls[0]["seq"])
    assert [c["seq"] for c in later] == [calls[1]["seq"]]


async def test_reply_keyboard_press_sends_text_and_language_is_visible(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Tiếng Việt"), KeyboardButton("English")]])
    await bot.send_message(user.id, "Chọn ngôn ngữ", reply_markup=keyboard)
    assert (await user.chat_state())["reply_keyboard"]["keyboard"][0][1]["text"] == "English"
    await user.press("English")
    await user.set_language("en")
    await user.send_text("hi")
    pressed, hi = await bot.get_updates()
    assert pressed.message.text == "English"
    assert pressed.effective_user.language_code == "vi"
    assert hi.effective_user.language_code == "en"


async def test_wait_for_times_out_with_a_readable_chat(user: SimulatedUser) -> None:
    await user.send_text("anyone?")
    try:
        await user.wait_for(lambda chat: any(m.from_bot for m in chat), timeout=0.2)
    except TimeoutError as exc:
        assert "anyone?" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("wait_for should time out")


async def test_playground_is_served_with_stable_hooks(server: LocalBotApiServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.playground_url) as response:
            page = await response.text()
        async with session.get(f"{server.root_url}/static/playground.js") as response:
            script = await response.text()
    for hook in ('id="chat"', 'id="text"', 'id="send"', 'id="lang"', 'id="user"'):
        assert hook in page
    assert "dataset.callback" in script and "msg " in script
    assert "innerHTML" not in script  # bot text is rendered via textContent only
    assert not re.search(r"(src|href)=\"https?://", page)  # no external assets


def test_run_in_thread_serves_a_synchronous_caller() -> None:
    server = LocalBotApiServer(token=TOKEN).run_in_thread()
    try:

        async def talk() -> str:
            async with (
                ControlClient(server.control_url) as control,
                telegram.Bot(TOKEN, base_url=server.base_url) as bot,
            ):
                user = await control.create_user("Hà")
                await bot.send_message(user.id, "từ luồng khác")
                return (await user.chat())[0].text or ""

        assert asyncio.run(talk()) == "từ luồng khác"
    finally:
        server.stop_thread()


def test_cli_prints_base_urls() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "localbotapi", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
    finally:
        process.terminate()
        process.wait(5)
    assert re.match(r"Bot API base_url: +http://127\.0\.0\.1:\d+/bot$", lines[0].strip())
    assert lines[1].strip().endswith("/file/bot")
    assert lines[2].strip().endswith("/_control")


async def test_reset_clears_the_world_but_update_ids_keep_rising(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    first = await user.send_text("trước")
    await control.fail_next("sendMessage", "forbidden")
    await control.reset()
    assert await control.users() == [] and await control.calls() == []
    newcomer = await control.create_user("Mai")
    second = await newcomer.send_text("sau")
    assert second["update_id"] > first["update_id"]
    [update] = await bot.get_updates()
    assert update.message.text == "sau"
    assert (await bot.send_message(newcomer.id, "ok")).text == "ok"  # fault was cleared


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_playground_renders_chat_safely_and_presses_buttons(
    server: LocalBotApiServer, bot: telegram.Bot, user: SimulatedUser
) -> None:
    await user.send_command("/start")
    await bot.send_message(
        user.id,
        "<b>Đậm</b> &lt;script&gt;alert(1)&lt;/script&gt;",
        parse_mode="HTML",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="yes")]]),
    )
    process = await asyncio.create_subprocess_exec(
        "node",
        str(HERE / "playground_harness.js"),
        server.root_url,
        str(user.id),
        str(HERE.parents[1] / "localbotapi" / "static" / "playground.js"),
        stdout=asyncio.subprocess.PIPE,
    )
    stdout, _ = await asyncio.wait_for(process.communicate(), 10)
    summary = json.loads(stdout)
    assert summary["messages"][0]["cls"] == "msg user"
    assert summary["messages"][0]["text"].startswith("/start")
    assert summary["messages"][1]["cls"] == "msg bot"
    assert summary["messages"][1]["text"].startswith("Đậm <script>alert(1)</script>")
    assert "B" in summary["tags"] and "SCRIPT" not in summary["tags"]
    assert summary["callbacks"] == ["yes"]
    [update] = [u for u in await bot.get_updates() if u.callback_query]
    assert update.callback_query.data == "yes"
