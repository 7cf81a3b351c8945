"""Multipart uploads are stored, addressable by file_id and downloadable via the file URL."""

from __future__ import annotations

import telegram
from telegram import InputMediaDocument, InputMediaPhoto

from localbotapi import ControlClient, SimulatedUser
from localbotapi.media import tiny_png

PNG = tiny_png(7, 5)
CSV = "xã,điểm\nAn Phú,4\n".encode()


async def test_send_document_is_stored_and_downloadable(
    bot: telegram.Bot, user: SimulatedUser, control: ControlClient
) -> None:
    sent = await bot.send_document(user.id, CSV, filename="diem.csv", caption="Kết quả")
    assert sent.document.file_name == "diem.csv"
    assert sent.document.file_size == len(CSV)
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == CSV
    [stored] = await user.uploaded_files()
    assert stored["uploaded_by"] == "bot" and stored["file_name"] == "diem.csv"
    assert await control.file_content(stored["file_id"]) == CSV
    # Re-sending by file_id reuses the stored file.
    again = await bot.send_document(user.id, sent.document.file_id)
    assert again.document.file_unique_id == sent.document.file_unique_id


async def test_send_photo_reports_real_dimensions(bot: telegram.Bot, user: SimulatedUser) -> None:
    sent = await bot.send_photo(user.id, PNG, caption="<i>ảnh</i>", parse_mode="HTML")
    size = sent.photo[-1]
    assert (size.width, size.height) == (7, 5)
    assert sent.caption == "ảnh" and sent.caption_entities[0].type == "italic"
    file = await bot.get_file(size.file_id)
    assert bytes(await file.download_as_bytearray()) == PNG


async def test_media_group_uploads_every_item(bot: telegram.Bot, user: SimulatedUser) -> None:
    messages = await bot.send_media_group(
        user.id,
        [
            InputMediaPhoto(PNG, caption="một"),
            InputMediaDocument(CSV, filename="hai.csv"),
        ],
    )
    assert len(messages) == 2
    assert messages[0].media_group_id == messages[1].media_group_id is not None
    assert messages[0].caption == "một"
    doc = await bot.get_file(messages[1].document.file_id)
    assert bytes(await doc.download_as_bytearray()) == CSV
    assert len(await user.chat()) == 2


async def test_bot_downloads_what_the_user_sent(bot: telegram.Bot, user: SimulatedUser) -> None:
    await user.send_photo(PNG, caption="bằng chứng")
    [update] = await bot.get_updates()
    file = await update.message.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()) == PNG
    [stored] = await user.uploaded_files()
    assert stored["uploaded_by"] == "user"
