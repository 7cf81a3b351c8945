"""Nothing lost, nothing wrong: restarts, stale and duplicate taps, forged data."""

from __future__ import annotations

from pathlib import Path

from storage import responses, users
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile


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
        for label in ["1 Very low", "2 Low", "3 Average"]:  # 1.1.1 now+forecast, 1.2.1 now
            await first.press(person, label)
        old_message = first.screen(person)
        old_five = first.button(person, "5 Done")
        telegram = first.telegram
    # A new process on the same database file: nothing was kept in memory.
    async with Harness(make_settings(database), telegram) as second:
        await second.text(person, "/resume")
        screen = second.screen(person)
        assert "1.2.1" in screen.text and "Forecast for 2025" in screen.text
        assert "3 · Average" in screen.text
        # The old message's button is now out of date: no answer is stored from it.
        await second.press_data(person, old_five, old_message)
        answers = second.telegram.callback_answers()[-1]
        assert "out of date" in answers["text"]
        assert await stored_ratings(second, person) == {
            ("1.1.1", "now"): 1,
            ("1.1.1", "forecast"): 2,
            ("1.2.1", "now"): 3,
        }
        await second.press(person, "4 Fairly")
        assert (await stored_ratings(second, person))[("1.2.1", "forecast")] == 4


async def test_double_tap_stores_once_and_skips_nothing(harness: Harness) -> None:
    person = Person(2002, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    data = harness.button(person, "3 Average")
    await harness.press_data(person, data, message)
    await harness.press_data(person, data, message)  # the same tap again (or a duplicated update)
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 3}
    screen = harness.screen(person).text
    assert "1.1.1" in screen and "Forecast for 2025" in screen  # the forecast was not skipped
    assert harness.telegram.callback_answers()[-1]["text"] == "Saved"


async def test_stale_tap_with_another_value_changes_nothing(harness: Harness) -> None:
    person = Person(2003, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    three, five = harness.button(person, "3 Average"), harness.button(person, "5 Done")
    await harness.press_data(person, three, message)
    await harness.press_data(person, five, message)  # a stale keyboard on a slow phone
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 3}
    assert "out of date" in harness.telegram.callback_answers()[-1]["text"]
    assert "Forecast for 2025" in harness.screen(person).text


async def test_forged_callbacks_are_refused_and_store_nothing(harness: Harness) -> None:
    person = Person(2004, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    tag = harness.button(person, "3 Average").split("|")[1]
    forged = [
        "garbage",
        f"1|{tag}|r0n|9",  # value out of range
        f"1|{tag}|r999n|3",  # unknown item
        "1|ffffff|r0n|3",  # another survey
        f"2|{tag}|r0n|3",  # unknown version
        f"1|{tag}|p0|n7",  # malformed
        f"1|{tag}|p1|n",  # "prefer not" on a question that does not offer it
        "1|L|fr",
        f"1|{tag}|r0n|3|x",
    ]
    for data in forged:
        await harness.press_data(person, data)
        assert harness.telegram.callback_answers()[-1].get("show_alert") is True, data
        assert "not valid" in harness.telegram.callback_answers()[-1]["text"]
    assert await stored_ratings(harness, person) == {}


async def test_text_where_a_button_is_expected_gets_a_hint_and_the_question(
    harness: Harness,
) -> None:
    person = Person(2005, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.text(person, "5")
    messages = harness.telegram.bot_messages(person.id)
    assert "Please answer with the buttons" in messages[-2].text
    assert "1.1.1" in messages[-1].text and messages[-1].buttons()
    await harness.send_other(person, "sticker")
    await harness.send_other(person, "voice")
    messages = harness.telegram.bot_messages(person.id)
    assert "only read text messages and button taps" in messages[-2].text
    assert "1.1.1" in messages[-1].text
    assert await stored_ratings(harness, person) == {}
    # Only the newest copy of the question keeps its buttons.
    assert [m for m in messages if m.buttons()] == [messages[-1]]


async def test_long_comment_is_refused_with_a_clear_message(harness: Harness) -> None:
    person = Person(2006, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in range(22):  # SDG 1: 11 indicators, now and forecast
        await harness.press(person, "Don't know")
    assert "Anything to add about Goal 1" in harness.screen(person).text
    await harness.text(person, "x" * 2001)
    messages = harness.telegram.bot_messages(person.id)
    assert "too long" in messages[-2].text and "2000" in messages[-2].text
    assert "Anything to add about Goal 1" in messages[-1].text
    await harness.text(person, "Trẻ em 👧🏽 cần trường gần nhà")
    assert "4.1.1" in harness.screen(person).text


async def test_telegram_error_on_edit_loses_no_answer(harness: Harness) -> None:
    person = Person(2007, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    harness.telegram.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await harness.press(person, "2 Low")
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 2}
    assert "Forecast for 2025" in harness.screen(person).text  # sent anew instead


async def test_delete_removes_every_row_after_confirmation(harness: Harness) -> None:
    person = Person(2008, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.press(person, "4 Fairly")
    await harness.text(person, "/mydata")
    shown = harness.screen(person).text
    assert (
        "Anonymous respondent id: R" in shown and "1.1.1: 4 → –" in shown and "Youth" not in shown
    )
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
    await harness.press(person, "1 Very low")
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 1}
    assert "Forecast for 2025" in harness.screen(person).text


async def test_a_lost_edit_is_repaired_by_tapping_again(harness: Harness) -> None:
    person = Person(2010, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    message = harness.screen(person)
    data = harness.button(person, "2 Low")
    harness.telegram.fail("editMessageText", 502, "Bad Gateway")
    await harness.press_data(person, data, message)
    assert "Level reached in 2022" in message.text  # the phone still shows the old question
    await harness.press_data(person, data, message)  # the respondent taps again
    assert await stored_ratings(harness, person) == {("1.1.1", "now"): 2}
    assert "Forecast for 2025" in harness.screen(person).text


async def test_a_comment_delivered_twice_is_answered_once(harness: Harness) -> None:
    person = Person(2011, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in range(22):  # SDG 1's ratings, to reach its comment
        await harness.press(person, "Don't know")
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
    assert "4.1.1" in harness.screen(person).text
    rows = await harness.services.store.fetchall("SELECT text FROM texts")
    assert [r[0] for r in rows] == ["Chợ xa quá"]
