"""Safeguards from issue 9, each through the real Application and the offline request layer:
groups, inline messages, edits, lengths, storage failures, unanswered presses, exports."""

from __future__ import annotations

import csv
import io
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from locales.textlimits import utf16_cut, utf16_len
from storage import responses, users
from storage.export import write_ratings_csv
from survey.steps import comment_key
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, rate, rating_button, statement

GROUP = -1001234567890


def group_press(harness: Harness, person: Person, data: str, chat_type: str) -> dict[str, Any]:
    """A press on the bot's button in a group (a forwarded question or reminder, say)."""
    return {
        "callback_query": {
            "id": f"g{time.monotonic_ns()}",
            "from": person.json(),
            "chat_instance": "group",
            "data": data,
            "message": {
                "message_id": 77,
                "date": int(time.time()),
                "chat": {"id": GROUP, "type": chat_type, "title": "Village group"},
                "from": {"id": 700000001, "is_bot": True, "first_name": "Scorecard"},
                "text": "a question",
            },
        }
    }


async def ratings(harness: Harness, person: Person) -> dict[tuple[str, str], int | None]:
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    response = await responses.get_response(harness.services.store, user.id, "sdg-scorecard-vn")
    assert response is not None
    answers = await responses.load_answers(harness.services.store, response.id)
    return {key: rating.value for key, rating in answers.ratings.items()}


async def to_first_comment(harness: Harness, person: Person) -> None:
    await agree(harness, person)
    await answer_profile(harness, person)
    # A goal's comment is typed on any of its rating screens.
    assert "💬 Anything to add about poverty" in harness.screen(person).text


# --- Groups and inline messages ----------------------------------------------------


@pytest.mark.parametrize("chat_type", ["group", "supergroup", "channel"])
async def test_a_press_from_a_group_stores_nothing_and_shows_nothing_there(
    harness: Harness, chat_type: str
) -> None:
    person = Person(9101, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    data = rating_button(harness, person, "n", "3")
    sent_before = len(harness.telegram.calls)
    await harness.feed(group_press(harness, person, data, chat_type))
    assert await ratings(harness, person) == {}
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None and user.chat_id == person.id  # the group is never their chat
    new_calls = harness.telegram.calls[sent_before:]
    assert [c.method for c in new_calls] == ["answerCallbackQuery"]
    answer = new_calls[0].params
    assert answer["show_alert"] is True and "private chat" in answer["text"]
    assert "t.me/ScorecardTestBot" in answer["text"]
    assert GROUP not in harness.telegram.chats


async def test_a_press_on_an_inline_message_is_answered_not_asserted(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    person = Person(9102, "vi")
    await agree(harness, person, "Tiếng Việt")
    await answer_profile(harness, person)
    data = harness.button(person, "3")
    query = {"id": "inline1", "from": person.json(), "chat_instance": "x", "data": data}
    await harness.feed({"callback_query": {**query, "inline_message_id": "AAAA"}})
    assert await ratings(harness, person) == {}
    answer = harness.telegram.callback_answers()[-1]
    assert answer["callback_query_id"] == "inline1" and "riêng" in answer["text"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- Edited messages ---------------------------------------------------------------


async def test_an_edited_message_runs_no_command_and_answers_nothing(harness: Harness) -> None:
    person = Person(9103, "en")
    await to_first_comment(harness, person)
    before = len(harness.telegram.calls)
    for text in ("/delete", "Nước sạch còn thiếu"):
        message = harness.telegram.add_user_message(person.id, text)
        edited = {
            "message_id": message.message_id,
            "date": int(time.time()) - 60,
            "edit_date": int(time.time()),
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": person.json(),
            "text": text,
        }
        if text.startswith("/"):
            edited["entities"] = [{"type": "bot_command", "offset": 0, "length": 7}]
        await harness.feed({"edited_message": edited})
    assert harness.telegram.calls[before:] == []
    assert await harness.services.store.fetchall("SELECT * FROM texts") == []


# --- Lengths -----------------------------------------------------------------------


def test_utf16_length_counts_emoji_twice() -> None:
    assert utf16_len("abc") == 3 and utf16_len("Việt") == 4 and utf16_len("😀") == 2
    assert utf16_cut("a😀b", 2) == ("a", "😀b")  # never half an emoji


async def test_an_emoji_comment_is_limited_as_telegram_counts(harness: Harness) -> None:
    person = Person(9104, "en")
    await to_first_comment(harness, person)
    await harness.text(person, "😀" * 1001)  # 1,001 characters, 2,002 UTF-16 units
    notice = harness.telegram.bot_messages(person.id)[-2].text
    assert "too long" in notice and "2000" in notice and "2002" in notice
    assert await harness.services.store.fetchall("SELECT * FROM texts") == []
    await harness.text(person, "😀" * 1000)
    assert "Your comment: 😀😀" in harness.screen(person).text  # saved, shown shortened
    await harness.text(person, "/mydata")
    shown = "".join(m.text for m in harness.telegram.bot_messages(person.id)[-2:])
    assert "😀" * 1000 in shown.replace("</i>\n<i>", "")


async def test_mydata_shows_back_any_stored_text_in_messages_telegram_accepts(
    harness: Harness,
) -> None:
    person = Person(9105, "en")
    await to_first_comment(harness, person)
    # Stored before the limit counted UTF-16 (or by any other way): 4,000 units of emoji,
    # and a comment full of characters that HTML escaping lengthens.
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    response = await responses.get_response(harness.services.store, user.id, "sdg-scorecard-vn")
    assert response is not None
    sections = harness.services.survey.sections
    await responses.save_text(
        harness.services.store, response.id, comment_key(sections[0].id), "👧🏽" * 1000, 1
    )
    await responses.save_text(
        harness.services.store, response.id, comment_key(sections[1].id), "<&>" * 700, 2
    )
    sent_before = len(harness.telegram.bot_messages(person.id))
    await harness.text(person, "/mydata")
    chunks = [m.text for m in harness.telegram.bot_messages(person.id)[sent_before:]]
    assert len(chunks) >= 3
    assert all(utf16_len(chunk) < 4096 for chunk in chunks)
    joined = "".join(chunks).replace("</i>\n<i>", "").replace("</i><i>", "")
    assert "👧🏽" * 1000 in joined and "&lt;&amp;&gt;" * 700 in joined


# --- Storage failures --------------------------------------------------------------


async def test_a_tap_that_cannot_be_saved_says_so_and_the_admins_hear_once(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(database, access={"admins": [9001]})
    async with Harness(settings) as harness:
        person = Person(9106, "en")
        await agree(harness, person)
        await answer_profile(harness, person)
        screen = harness.screen(person)
        await harness.services.store.execute("PRAGMA query_only = ON")  # as a read-only file
        for kind, value in (("n", "3"), ("f", "4")):
            await harness.press_data(person, rating_button(harness, person, kind, value), screen)
            answer = harness.telegram.callback_answers()[-1]
            assert answer["show_alert"] is True
            assert answer["text"] == (
                "Sorry, your answer could not be saved right now. Please try again in a minute."
            )
        assert harness.screen(person) is screen and "Saved" not in screen.text
        # A comment typed meanwhile is not acknowledged as saved either.
        await harness.text(person, "Chợ xa quá")
        assert "could not be saved" in harness.telegram.bot_messages(person.id)[-1].text
        admin_notes = harness.telegram.bot_messages(9001)
        assert len(admin_notes) == 1 and "readonly database" in admin_notes[0].text
        await harness.services.store.execute("PRAGMA query_only = OFF")
    logged = caplog.text
    assert "storage failure" in logged and "Traceback" not in logged
    assert str(person.id) not in logged and "Chợ xa quá" not in logged


# --- Unanswered presses ------------------------------------------------------------


async def test_a_language_press_twice_is_no_error_and_the_question_follows(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    person = Person(9107, "en")
    await harness.text(person, "/start")
    picker = harness.screen(person)
    english = harness.button(person, "English")
    await harness.press_data(person, english, picker)
    await harness.press_data(person, english, picker)  # delivered twice: "not modified"
    await harness.press(person, "I agree")
    await answer_profile(harness, person)
    await harness.text(person, "/language")
    picker = harness.screen(person)
    await harness.press_data(person, english, picker)
    questions = len(harness.telegram.bot_messages(person.id))
    await harness.press_data(person, english, picker)  # a stale press on the same picker
    assert len(harness.telegram.bot_messages(person.id)) > questions
    assert statement(harness, "1.1.1") in harness.screen(person).text  # the next screen is sent
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_every_press_is_answered_exactly_once(harness: Harness) -> None:
    person = Person(9108, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    screen = harness.screen(person)
    presses = [
        rating_button(harness, person, "n", "3"),
        rating_button(harness, person, "n", "3"),  # a double tap
        rating_button(harness, person, "n", "5"),  # stale
        "1|zzzz|r0n|9",  # forged
        "o1|nonsense",  # a forged outreach button
    ]
    for data in presses:
        update = await harness.press_data(person, data, screen)
        assert update.callback_query is not None
        answers = [
            c
            for c in harness.telegram.calls
            if c.method == "answerCallbackQuery"
            and c.params["callback_query_id"] == update.callback_query.id
        ]
        assert len(answers) == 1, data


# --- Exports -----------------------------------------------------------------------


@pytest.mark.parametrize("label", ["+cmd|' /C calc'!A0", "=1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
async def test_a_formula_in_a_partner_label_is_exported_as_text(
    harness: Harness, label: str
) -> None:
    await users.add_invitation(harness.services.store, "CODE123", label=label)
    person = Person(9109, "en")
    await harness.text(person, "/start CODE123")
    await harness.press(person, "English")
    await harness.press(person, "I agree")
    await answer_profile(harness, person)
    await rate(harness, person, "n", "3")
    out = io.StringIO()
    survey = harness.services.survey
    write_ratings_csv(harness.settings.storage.database, out, survey.id, [])
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert rows and rows[0]["partner"] == "'" + label
    assert rows[0]["value"] == "3"


def group_message(person: Person, text: str, group: int = GROUP) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": int(time.monotonic_ns() % 1_000_000),
        "date": int(time.time()),
        "chat": {"id": group, "type": "supergroup", "title": "Village group"},
        "from": person.json(),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message}


async def test_a_group_that_calls_the_bot_gets_one_line_pointing_to_the_private_chat(
    harness: Harness,
) -> None:
    lan, minh = Person(9201, "vi"), Person(9202, "en")
    await harness.feed(group_message(lan, "/start"))
    (line,) = [m.text for m in harness.telegram.bot_messages(GROUP)]
    assert "trò chuyện riêng" in line and "t.me/ScorecardTestBot" in line
    assert "\n" not in line
    # More calls in the same group within the hour: silence. Chatter: always silence.
    await harness.feed(group_message(minh, "/start"))
    await harness.feed(group_message(minh, "hello @ScorecardTestBot"))
    await harness.feed(group_message(lan, "đi chợ không?", group=GROUP - 1))
    await harness.feed(group_message(lan, "/start@SomeOtherBot", group=GROUP - 1))
    assert len(harness.telegram.bot_messages(GROUP)) == 1
    assert harness.telegram.bot_messages(GROUP - 1) == []
    # Another group asking gets its own line, in the asker's language.
    await harness.feed(group_message(minh, "/delete@ScorecardTestBot", group=GROUP - 2))
    (other,) = [m.text for m in harness.telegram.bot_messages(GROUP - 2)]
    assert other.startswith("I only work in a private chat")
    # Nothing about anyone is stored, and nobody's private chat is written to.
    for person in (lan, minh):
        assert await users.get_user(harness.services.store, person.id) is None
        assert harness.telegram.bot_messages(person.id) == []


async def test_network_errors_while_polling_or_at_shutdown_are_one_line_each(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """With the Bot API out of reach, PTB hands every failed poll to the error handler."""
    from telegram.error import NetworkError, TimedOut

    with caplog.at_level(logging.INFO):
        for error in (
            NetworkError("httpx.ConnectError: All connection attempts failed"),
            TimedOut(),
        ):
            await harness.app.process_error(update=None, error=error)
    lines = [r for r in caplog.records if r.name == "bot.guards"]
    assert len(lines) == 2 and all(r.exc_info is None for r in lines)
    assert all("cannot be reached (polling)" in r.getMessage() for r in lines)
    assert "Traceback" not in caplog.text
