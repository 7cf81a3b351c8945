"""A voice comment through the real process and the local Bot API server: the note
is downloaded with getFile, kept on disk beside the database, and /delete removes it."""

from __future__ import annotations

import sqlite3

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, Respondent


def _is_rating(step: str) -> bool:
    return step.startswith("r") and step != "rv"


async def test_a_voice_note_is_kept_on_disk_and_deleted_by_delete(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    user = await control.create_user("Mai", language_code="en")
    person = Respondent(user, survey)
    await person.begin()
    assert await person.answer(until=_is_rating) is not None  # the first goal's screen

    recording = b"OggS" + b"a voice comment about clean water" + bytes(40)
    before = max(m.message_id for m in await user.chat())
    await user.send_voice(recording, duration=7)
    saved = await user.wait_for_bot_message("Saved your voice comment", after=before, timeout=15)
    question = await user.wait_for_bot_message(
        survey.items[0][1].label("en"), after=saved.message_id, timeout=15
    )
    assert question.buttons  # the question again, ready to answer
    assert await control.calls("getFile")

    with sqlite3.connect(bot.database) as db:
        rows = db.execute("SELECT question_id, path, duration FROM voice_comments").fetchall()
    assert len(rows) == 1
    question_id, path, duration = rows[0]
    assert (question_id, duration) == ("section:sdg1", 7)
    kept = bot.database.parent / path
    assert kept.read_bytes() == recording  # the very bytes the person recorded

    await user.send_command("/delete")
    await user.wait_for_bot_message("Are you sure?", timeout=15)
    await user.press("Yes, delete everything")
    await user.wait_for_bot_message("All your data has been deleted", timeout=15)
    assert not kept.exists() and not kept.parent.exists()
    with sqlite3.connect(bot.database) as db:
        assert db.execute("SELECT count(*) FROM voice_comments").fetchone() == (0,)
    assert "Traceback" not in bot.output()
