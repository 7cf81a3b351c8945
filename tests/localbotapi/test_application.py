"""A real telegram.ext.Application polls the server and serves a simulated user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from localbotapi import ControlClient, LocalBotApiServer, SimulatedUser

from .conftest import TOKEN

SCORES = InlineKeyboardMarkup(
    [[InlineKeyboardButton(str(n), callback_data=f"score:{n}") for n in (1, 2, 3)]]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = " ".join(context.args or [])
    await update.message.reply_text(f"Chấm điểm {payload}".strip(), reply_markup=SCORES)


async def scored(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"Đã lưu {query.data}")
    await query.edit_message_text(f"Bạn chọn {query.data.split(':')[1]}")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    seen = context.bot_data.setdefault("seen", [])
    seen.append(update.update_id)
    await update.message.reply_text(update.message.text)


@pytest.fixture
async def app(server: LocalBotApiServer) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(scored))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_start_then_button_press_edits_in_place(
    app: Application, user: SimulatedUser, control: ControlClient
) -> None:
    await user.send_command("/start", "xã An Phú")
    reply = await user.wait_for_bot_message("Chấm điểm xã An Phú")
    assert reply.callback_data == ["score:1", "score:2", "score:3"]

    await user.press("2")  # by button text
    edited = await user.wait_for(
        lambda chat: next((m for m in chat if m.edited and m.text == "Bạn chọn 2"), None)
    )
    assert edited.message_id == reply.message_id
    assert edited.buttons == []  # the edit omitted reply_markup, so the keyboard is gone
    assert [m.message_id for m in await user.bot_messages()] == [reply.message_id]
    answers = await user.callback_answers()
    assert [(a["data"], a["text"]) for a in answers] == [("score:2", "Đã lưu score:2")]
    assert len(await control.calls("sendMessage")) == 1
    assert len(await control.calls("editMessageText")) == 1


async def test_duplicated_update_is_delivered_twice(
    app: Application, user: SimulatedUser, control: ControlClient
) -> None:
    await control.duplicate_next_update()
    sent = await user.send_text("một lần")
    await user.wait_for(lambda chat: len([m for m in chat if m.from_bot]) == 2)
    assert app.bot_data["seen"] == [sent["update_id"], sent["update_id"]]

    after = await user.send_text("tiếp theo")  # the queue carries on normally afterwards
    await user.wait_for(lambda chat: len([m for m in chat if m.from_bot]) == 3)
    assert app.bot_data["seen"][-1] == after["update_id"]
    assert len(app.bot_data["seen"]) == 3


async def test_two_users_are_served_independently(app: Application, control: ControlClient) -> None:
    lan = await control.create_user("Lan")
    minh = await control.create_user("Minh", language_code="en")
    await lan.send_text("chào")
    await minh.send_text("hello")
    assert (await lan.wait_for_bot_message("chào")).text == "chào"
    assert (await minh.wait_for_bot_message("hello")).text == "hello"
    assert [m.text for m in await lan.chat()] == ["chào", "chào"]
