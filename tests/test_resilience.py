"""Nothing lost, nothing wrong: restarts, stale and duplicate taps, forged data."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storage import responses, users
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, rate, rating_button, statement


async def stored_ratings(harness: Harness, person: Person) -> dict[tuple[str, str], int | None]:
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    response = await responses.get_response(harness.services.store, user.id, "sdg-scorecard-vn")
    assert response is not None
    answers = await responses.load_answers(harness.services.store, response.id)
    return {key: rating.value for key, rating in answers.ratings.items()}


async def test_restart_resumes_at_the_first_unanswered_item(database: Path) -> None:
    person = Person(2001, "en")
    async with Harness(make_settings(database)) as first:
        await agree(first, person)
        await answer_profile(first, person)
        await rate(first, person, "n", "1")  # 1.1.1 now
        await rate(first, person, "f", "2")  # 1.1.1 forecast
        await rate(first, person, "n", "3")  # 1.2.1 now
        old_message = first.screen(person)
        old_five = rating_button(first, person, "n", "5")
        telegram = first.telegram
    # A new process on the same database file: nothing was kept in memory.
    async with Harness(make_settings(database), telegram) as second:
        await second.text(person, "/resume")
        screen = second.screen(person)
        assert statement(second, "1.2.1") in screen.text
        assert "Row 2026 – now: <b>3 Half true</b>" in screen.text
        assert "Row 2030 – what you expect by 2030: <b>not answered yet</b>" in screen.text
        # The old message's button is now out of date: no answer is stored from it.
        await second.press_data(person, old_five, old_message)
        answers = second.telegram.callback_answers()[-1]
        assert "out of date" in answers["text"]
        assert await stored_ratings(second, person) == {
            ("1.1.1", "now"): 1,
            ("1.1.1", "forecast"): 2,
            ("1.2.1", "now"): 3,
        }
        await rate(second, person, "f", "4")
        assert (await stored_ratings(second, person))[("1.2.1", "forecast")] == 4


async def test_double_tap_stores_once_and_skips_nothing(harness: Harness) -> None:
    person = Person(2002, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    data = rating_button(harness, person, "n", "3")
    await harness.press_data(person, data, message)
    await harness.press_data(person, data, message)  # the same tap again (or a duplicated update)
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 3}
    screen = harness.screen(person).text
    assert (
        statement(harness, "1.1.1") in screen
        and "Row 2030 – what you expect by 2030: <b>not answered yet</b>" in screen
    )
    assert harness.telegram.callback_answers()[-1]["text"] == "Saved"
    # The last tap of an indicator twice: the second lands on the next one, stores nothing.
    last = rating_button(harness, person, "f", "4")
    await harness.press_data(person, last, message)
    await harness.press_data(person, last, message)
    assert await stored_ratings(harness, person) == {
        ("1.1.1", "now"): 3,
        ("1.1.1", "forecast"): 4,
    }
    assert statement(harness, "1.2.1") in harness.screen(person).text


async def test_stale_tap_with_another_value_changes_nothing(harness: Harness) -> None:
    person = Person(2003, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    now, forecast = (
        rating_button(harness, person, "n", "3"),
        rating_button(harness, person, "f", "3"),
    )
    await harness.press_data(person, now, message)
    await harness.press_data(person, forecast, message)  # 1.1.1 done: the screen moves on
    await harness.press_data(person, rating_button(harness, person, "n", "5"), message)
    await harness.press_data(person, forecast.replace("|f3", "|f1"), message)  # a stale keyboard
    assert await stored_ratings(harness, person) == {
        ("1.1.1", "now"): 3,
        ("1.1.1", "forecast"): 3,
        ("1.2.1", "now"): 5,
    }
    assert "out of date" in harness.telegram.callback_answers()[-1]["text"]
    assert statement(harness, "1.2.1") in harness.screen(person).text


async def test_forged_callbacks_are_refused_and_store_nothing(harness: Harness) -> None:
    person = Person(2004, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    tag = rating_button(harness, person, "n", "3").split("|")[1]
    forged = [
        "garbage",
        f"1|{tag}|r0|n9",  # value out of range
        f"1|{tag}|r0|x3",  # unknown rating row
        f"1|{tag}|r999|n3",  # unknown item
        f"2|{tag}|r0|n3",  # unknown version
        f"1|{tag}|p0|n7",  # malformed
        f"1|{tag}|p0|a07",  # a non-canonical index
        f"1|{tag}|p0|a99",  # a choice the question does not have
        f"1|{tag}|p1|n",  # "prefer not" on a question that does not offer it
        f"1|{tag}|q0|a6",  # a goal the survey does not have
        "1|L|fr",
        f"1|{tag}|r0|n3|x",
    ]
    for data in forged:
        await harness.press_data(person, data)
        assert harness.telegram.callback_answers()[-1].get("show_alert") is True, data
        assert "not valid" in harness.telegram.callback_answers()[-1]["text"]
    assert await stored_ratings(harness, person) == {}


async def test_a_button_of_an_older_survey_version_shows_the_current_question(
    harness: Harness,
) -> None:
    person = Person(2012, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.press_data(person, "1|ffffff|r0n|3")  # from the 2026.1 file's keyboard
    assert "out of date" in harness.telegram.callback_answers()[-1]["text"]
    assert statement(harness, "1.1.1") in harness.screen(person).text
    assert await stored_ratings(harness, person) == {}


async def test_typed_digits_answer_the_open_ratings(harness: Harness) -> None:
    person = Person(2005, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.text(person, "4")
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 4}
    assert (
        "Row 2030 – what you expect by 2030: <b>not answered yet</b>" in harness.screen(person).text
    )
    await harness.text(person, "?")  # don't know
    assert (await stored_ratings(harness, person))[("1.1.1", "forecast")] is None
    assert statement(harness, "1.2.1") in harness.screen(person).text
    await harness.text(person, "2 5")  # both at once
    assert (await stored_ratings(harness, person))[("1.2.1", "now")] == 2
    assert (await stored_ratings(harness, person))[("1.2.1", "forecast")] == 5
    await harness.text(person, "0")
    assert (await stored_ratings(harness, person))[("1.2.2", "now")] is None
    # Only the newest copy of the question keeps its buttons.
    messages = harness.telegram.bot_messages(person.id)
    assert [m for m in messages if m.buttons()] == [messages[-1]]


async def test_a_typed_digit_delivered_twice_is_applied_once(harness: Harness) -> None:
    person = Person(2013, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.telegram.add_user_message(person.id, "4")
    update = {
        "message": {
            "message_id": message.message_id,
            "date": 1700000000,
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": person.json(),
            "text": "4",
        }
    }
    await harness.feed(update)
    await harness.feed(update)  # redelivered: must not become the 2030 rating
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 4}


async def test_text_where_a_button_is_expected_gets_a_hint_and_the_question(
    harness: Harness,
) -> None:
    person = Person(2014, "en")
    await agree(harness, person)
    await harness.text(person, "5")  # the group question takes buttons only
    messages = harness.telegram.bot_messages(person.id)
    assert "Please answer with the buttons" in messages[-2].text
    assert "Which of these groups" in messages[-1].text and messages[-1].buttons()
    await answer_profile(harness, person)
    await harness.send_other(person, "voice")  # kept as a voice comment on SDG 1
    await harness.send_other(person, "sticker")
    messages = harness.telegram.bot_messages(person.id)
    assert "only read text messages and button taps" in messages[-2].text
    assert statement(harness, "1.1.1") in messages[-1].text
    assert await stored_ratings(harness, person) == {}
    # Only the newest copy of the question keeps its buttons.
    assert [m for m in messages if m.buttons()] == [messages[-1]]


async def test_long_comment_is_refused_with_a_clear_message(harness: Harness) -> None:
    person = Person(2006, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.text(person, "x" * 2001)
    messages = harness.telegram.bot_messages(person.id)
    assert "too long" in messages[-2].text and "2000" in messages[-2].text
    assert statement(harness, "1.1.1") in messages[-1].text
    await harness.text(person, "Trẻ em 👧🏽 cần trường gần nhà")
    assert "Your comment: Trẻ em 👧🏽 cần trường gần nhà" in harness.screen(person).text
    rows = await harness.services.store.fetchall("SELECT text FROM texts")
    assert [r[0] for r in rows] == ["Trẻ em 👧🏽 cần trường gần nhà"]


async def test_telegram_error_on_edit_loses_no_answer(harness: Harness) -> None:
    person = Person(2007, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    harness.telegram.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await rate(harness, person, "n", "2")
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 2}
    assert (
        "Row 2026 – now: <b>2 A little true</b>" in harness.screen(person).text
    )  # sent anew instead


async def test_delete_removes_every_row_after_confirmation(harness: Harness) -> None:
    person = Person(2008, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "4")
    await harness.text(person, "/mydata")
    shown = harness.screen(person).text
    assert "Anonymous respondent id: R" in shown and "(UTC+07)" in shown
    assert f"{statement(harness, '1.1.1')} <b>4 → –</b>" in shown and "Women" not in shown
    await harness.text(person, "/delete")
    await harness.press(person, "No, keep my answers")
    assert await users.get_user(harness.services.store, person.id) is not None
    await harness.text(person, "/delete")
    await harness.press(person, "Yes, delete everything")
    assert "All your data has been deleted" in harness.screen(person).text
    assert await users.get_user(harness.services.store, person.id) is None
    for table in ("users", "consents", "responses", "profile_answers", "ratings", "texts"):
        rows = await harness.services.store.fetchall(f"SELECT * FROM {table}")
        assert rows == [], table


async def test_a_too_old_callback_query_still_moves_on(harness: Harness) -> None:
    person = Person(2009, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    harness.telegram.fail(
        "answerCallbackQuery",
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    await rate(harness, person, "n", "1")
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 1}
    assert "Row 2026 – now: <b>1 Not true</b>" in harness.screen(person).text


async def test_a_lost_edit_is_repaired_by_tapping_again(harness: Harness) -> None:
    person = Person(2010, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    data = rating_button(harness, person, "n", "2")
    harness.telegram.fail("editMessageText", 502, "Bad Gateway")
    await harness.press_data(person, data, message)
    assert "not answered yet</b>\n▸ Row 2030" in message.text  # the phone still shows no answer
    await harness.press_data(person, data, message)  # the respondent taps again
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 2}
    assert "Row 2026 – now: <b>2 A little true</b>" in harness.screen(person).text


async def test_a_comment_delivered_twice_is_answered_once(harness: Harness) -> None:
    person = Person(2011, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.telegram.add_user_message(person.id, "Chợ xa quá")
    update = {
        "message": {
            "message_id": message.message_id,
            "date": 1700000000,
            "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
            "from": person.json(),
            "text": "Chợ xa quá",
        }
    }
    await harness.feed(update)
    sent_before = len(harness.telegram.bot_messages(person.id))
    await harness.feed(update)  # Telegram delivers the same message again after a restart
    assert len(harness.telegram.bot_messages(person.id)) == sent_before  # no "use the buttons"
    assert "Your comment: Chợ xa quá" in harness.screen(person).text
    rows = await harness.services.store.fetchall("SELECT text FROM texts")
    assert [r[0] for r in rows] == ["Chợ xa quá"]


async def test_a_press_on_an_older_message_points_below_and_sends_no_copy(
    harness: Harness,
) -> None:
    person = Person(2014, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "1")
    old_message = harness.screen(person)
    old_forecast = rating_button(harness, person, "f", "2")
    await harness.text(person, "/resume")  # the question again, as a new message below
    live = harness.screen(person)
    sent_before = len(harness.telegram.bot_messages(person.id))
    # A press on the older copy: another copy would make the one below out of date
    # too, and a press on that one would bring a third (a person tapping quickly
    # would chase their question down the chat). The one below stays the question.
    await harness.press_data(person, old_forecast, old_message)
    answer = harness.telegram.callback_answers()[-1]
    assert answer["text"] == (
        "That message is out of date. Your current question is the last one below."
    )
    assert len(harness.telegram.bot_messages(person.id)) == sent_before
    assert harness.screen(person) is live and not old_message.buttons()
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 1}
    await harness.press_data(person, rating_button(harness, person, "f", "2"), live)
    assert await stored_ratings(harness, person) == {
        ("1.1.1", "now"): 1,
        ("1.1.1", "forecast"): 2,
    }


async def test_consent_whose_first_question_fails_keeps_its_buttons_to_try_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(2013, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")
    consent = harness.screen(person)
    real_start = responses.start_response
    failures = [sqlite3.OperationalError("disk I/O error")]

    async def start_once_failing(*args: Any, **kwargs: Any) -> responses.Response:
        if failures:
            raise failures.pop()
        return await real_start(*args, **kwargs)

    monkeypatch.setattr(responses, "start_response", start_once_failing)
    await harness.press(person, "I agree", consent)
    answer = harness.telegram.callback_answers()[-1]
    assert answer["show_alert"] is True and "could not be saved" in answer["text"]
    # The consent is what the person still sees, and its "I agree" tries again.
    assert harness.screen(person) is consent
    await harness.press(person, "I agree", consent)
    assert "About you (1/5)" in harness.screen(person).text
    assert not consent.buttons()
