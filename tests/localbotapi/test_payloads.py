"""Every payload the server returns parses with python-telegram-bot's own classes."""

from __future__ import annotations

import telegram
from telegram import (
    BotCommand,
    File,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
    WebhookInfo,
)
from telegram.constants import ChatMemberStatus, MessageEntityType

from localbotapi import ControlClient, LocalBotApiServer, SimulatedUser

from .conftest import TOKEN

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Có", callback_data="yes")]])


async def test_get_me_is_the_bot_user(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert isinstance(me, User)
    assert me.is_bot and me.id == int(TOKEN.split(":")[0])
    assert me.username == "local_test_bot"


async def test_user_command_update_parses_with_bot_command_entity(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    await user.send_command("/start", "district7")
    [update] = await bot.get_updates()
    assert isinstance(update, Update)
    message = update.effective_message
    assert message.text == "/start district7"
    assert message.entities[0].type == MessageEntityType.BOT_COMMAND
    assert (message.entities[0].offset, message.entities[0].length) == (0, 6)
    assert update.effective_user.language_code == "vi"
    assert update.effective_chat.id == user.id and update.effective_chat.type == "private"
    assert isinstance(message.date.timestamp(), float)


async def test_raw_json_has_integer_dates_and_ok_envelope(
    server: LocalBotApiServer, user: SimulatedUser
) -> None:
    import aiohttp

    await user.send_text("xin chào")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}{TOKEN}/getUpdates") as response,
    ):
        body = await response.json()
    assert body["ok"] is True
    message = body["result"][0]["message"]
    assert isinstance(message["date"], int)
    assert message["from"] == {
        "id": user.id,
        "is_bot": False,
        "first_name": "Lan",
        "username": "lan_hanoi",
        "language_code": "vi",
    }


async def test_bot_messages_and_callback_query_parse(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    sent = await bot.send_message(
        user.id, "Chọn <b>một</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert isinstance(sent, Message)
    assert sent.from_user.is_bot and sent.text == "Chọn một"
    assert sent.entities[0].type == MessageEntityType.BOLD
    assert sent.reply_markup == KEYBOARD
    second = await bot.send_message(user.id, "again")
    assert second.message_id == sent.message_id + 1

    await user.press("yes")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query.data == "yes" and query.from_user.id == user.id
    assert query.message.message_id == sent.message_id
    assert query.chat_instance


async def test_media_messages_from_user_parse(bot: telegram.Bot, user: SimulatedUser) -> None:
    await user.send_photo(caption="Trạm y tế")
    await user.send_sticker()
    await user.send_voice(duration=3)
    await user.send_document(b"a,b\n1,2\n", file_name="scores.csv", mime_type="text/csv")
    updates = await bot.get_updates()
    photo, sticker, voice, document = (u.message for u in updates)
    assert photo.photo[-1].width > 0 and photo.caption == "Trạm y tế"
    assert sticker.sticker.type == "regular"
    assert voice.voice.duration == 3
    assert document.document.file_name == "scores.csv"
    assert document.document.mime_type == "text/csv"


async def test_my_chat_member_on_block_and_unblock(bot: telegram.Bot, user: SimulatedUser) -> None:
    await user.block()
    await user.unblock()
    blocked, unblocked = await bot.get_updates()
    assert blocked.my_chat_member.new_chat_member.status == ChatMemberStatus.BANNED
    assert blocked.my_chat_member.old_chat_member.status == ChatMemberStatus.MEMBER
    assert unblocked.my_chat_member.new_chat_member.status == ChatMemberStatus.MEMBER
    assert blocked.my_chat_member.new_chat_member.user.is_bot


async def test_commands_webhook_info_and_file_parse(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    assert await bot.set_my_commands([("start", "Bắt đầu"), ("language", "Ngôn ngữ")])
    commands = await bot.get_my_commands()
    assert commands == (BotCommand("start", "Bắt đầu"), BotCommand("language", "Ngôn ngữ"))
    assert await bot.set_my_commands([("help", "Help")], language_code="en")
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    info = await bot.get_webhook_info()
    assert isinstance(info, WebhookInfo) and info.url == ""
    await user.send_voice()
    [update] = await bot.get_updates()
    file = await bot.get_file(update.message.voice)
    assert isinstance(file, File)
    assert file.file_path.startswith(bot.base_file_url)
    assert await bot.send_chat_action(user.id, "typing")
    assert (await user.chat_state())["chat_action"] == "typing"
    assert await bot.close() and await bot.log_out()
