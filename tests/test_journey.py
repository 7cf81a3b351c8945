"""A respondent's whole journey through the real Application and a real SQLite file."""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path

import pytest

from storage import responses, users
from storage.export import write_ratings_csv
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_all, answer_profile, labels, rate, statement


async def test_whole_journey_in_english(harness: Harness, database: Path) -> None:
    person = Person(1001, "en")
    await harness.text(person, "/start")
    assert labels(harness, person) == ["Tiếng Việt", "English"]
    await harness.press(person, "English")
    assert "Do you agree to take part?" in harness.screen(person).text
    await harness.press(person, "I agree")
    assert "Which of these groups do you belong to?" in harness.screen(person).text
    assert "Prefer not to say" in labels(harness, person)  # group is sensitive
    await answer_profile(harness, person, [1, 0, 2, 1, 0])

    first = harness.screen(person)
    assert "Goal 1 of 6 · 1 of 69" in first.text
    assert statement(harness, "1.1.1") in first.text and "1.1.1" not in first.text
    assert "1 Not true" in first.text and "5 Completely true" in first.text
    assert "Row 2026 – now" in first.text and "Row 2030 – what you expect by 2030" in first.text
    await rate(harness, person, "n", "4")
    same_message = harness.screen(person)
    assert same_message.message_id == first.message_id  # edited in place, not a new message
    assert "Row 2026 – now: <b>4 Mostly true</b>" in same_message.text  # still here: 2030 is open
    assert "✓4" in labels(harness, person)
    await rate(harness, person, "f", "5")
    assert "Goal 1 of 6 · 2 of 69" in harness.screen(person).text

    await answer_all(harness, person, value="3", comment="Nước sạch còn thiếu 💧 ở bản tôi")
    review = harness.screen(person).text
    assert "Statements answered: 69 of 69" in review
    await harness.press(person, "Submit")
    assert "Thank you! Your scorecard has been submitted." in harness.screen(person).text

    out = io.StringIO()
    assert (
        write_ratings_csv(
            database, out, "sdg-scorecard-vn", ["group", "region", "area", "age_band", "gender"]
        )
        == 138
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    first_now = next(r for r in rows if r["indicator_code"] == "1.1.1" and r["kind"] == "now")
    assert (
        first_now["value"] == "4"
        and first_now["group"] == "youth"
        and first_now["area"] == "remote"
    )
    assert (
        next(r for r in rows if r["indicator_code"] == "1.1.1" and r["kind"] == "forecast")["value"]
        == "5"
    )
    assert all(r["submitted"] == "yes" and r["respondent_id"].startswith("R") for r in rows)
    # Never the Telegram id, in any field (a timestamp may hold the digits "1001").
    assert all(str(person.id) not in row.values() for row in rows)

    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    response = await responses.get_response(harness.services.store, user.id, "sdg-scorecard-vn")
    assert response is not None
    answers = await responses.load_answers(harness.services.store, response.id)
    assert answers.texts["section:sdg1"] == "Nước sạch còn thiếu 💧 ở bản tôi"  # stored intact
    assert answers.choices["priorities"] == (["sdg1", "sdg4"], True)
    # Dozens of questions, but the chat holds a handful of messages.
    assert len(harness.telegram.bot_messages(person.id)) < 20


async def test_whole_journey_in_vietnamese(harness: Harness) -> None:
    person = Person(1002, "vi")
    await agree(harness, person, "Tiếng Việt")
    assert "Bạn thuộc những nhóm nào dưới đây?" in harness.screen(person).text
    assert "Không muốn trả lời" in labels(harness, person)
    await answer_profile(harness, person)
    screen = harness.screen(person)
    assert statement(harness, "1.1.1", "vi") in screen.text
    assert (
        "Hàng 2026 – hiện nay" in screen.text
        and "Hàng 2030 – bạn dự đoán đến năm 2030" in screen.text
    )
    assert "Mục tiêu 1/6 · Câu 1/69" in screen.text and "? Không biết" in screen.text
    assert "◀ Quay lại" in labels(harness, person)
    await answer_all(harness, person, value="d")
    assert "Có chọn “Không biết”: 69 câu" in harness.screen(person).text
    await harness.press(person, "✅ Gửi")
    assert "Cảm ơn bạn! Thẻ điểm của bạn đã được gửi." in harness.screen(person).text


async def test_back_then_change_an_answer(harness: Harness) -> None:
    person = Person(1003, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "2")
    await rate(harness, person, "f", "3")  # 1.1.1 done: on to 1.2.1
    await harness.press(person, "◀ Back")
    screen = harness.screen(person).text
    assert (
        statement(harness, "1.1.1") in screen and "Row 2026 – now: <b>2 A little true</b>" in screen
    )
    await rate(harness, person, "n", "5")  # a change stays, so the other row can change too
    screen = harness.screen(person).text
    assert (
        "Row 2026 – now: <b>5 Completely true</b>" in screen
        and "Row 2030 – what you expect by 2030: <b>3 Half true</b>" in screen
    )
    assert "Next ▶" in labels(harness, person)
    await harness.press(person, "Next ▶")
    assert statement(harness, "1.2.1") in harness.screen(person).text


async def test_back_to_the_profile_and_the_same_answer_again(harness: Harness) -> None:
    person = Person(1013, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in range(3):  # 1.1.1 back through the profile to the area question
        await harness.press(person, "◀ Back")
    assert "What kind of area" in harness.screen(person).text
    await harness.press(person, "✓ Urban")  # stored already: no row is written
    assert statement(harness, "1.1.1") in harness.screen(person).text
    live = harness.screen(person)
    await rate(harness, person, "n", "4")  # the message is current, not "out of date"
    assert harness.screen(person).message_id == live.message_id
    assert "Row 2026 – now: <b>4 Mostly true</b>" in harness.screen(person).text


async def test_declining_consent_stores_only_the_refusal(harness: Harness, database: Path) -> None:
    person = Person(1004, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")
    await harness.press(person, "No, thank you")
    assert "Nothing but your refusal has been stored" in harness.screen(person).text
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    consent = await users.get_consent(harness.services.store, user.id)
    assert consent is not None and not consent.agreed and consent.consent_version
    assert await responses.get_response(harness.services.store, user.id, "sdg-scorecard-vn") is None


async def test_language_suggested_remembered_and_changeable(harness: Harness) -> None:
    person = Person(1005, "en")
    await agree(harness, person)
    await harness.text(person, "/language")
    await harness.press(person, "Tiếng Việt")
    assert "Bạn thuộc những nhóm nào dưới đây?" in harness.screen(person).text
    await harness.text(person, "/help")
    assert "/mydata" in harness.screen(person).text and "xem dữ liệu" in harness.screen(person).text


async def test_help_uses_the_scale_words_and_explains_typed_answers(harness: Harness) -> None:
    for person, language in ((Person(1006, "en"), "English"), (Person(1007, "vi"), "Tiếng Việt")):
        await agree(harness, person, language)
        await harness.text(person, "/help")
        text = harness.screen(person).text
        survey = harness.services.survey
        code = "en" if language == "English" else "vi"
        for point in survey.scale.points:  # the same words as on every question
            assert f"{point.value} – {point.label(code)}" in text
        assert escape(survey.scale.dont_know(code)) in text and "2030" in text and "3 4" in text


async def test_the_first_screen_says_who_asks_and_how_long_in_both_languages(
    harness: Harness,
) -> None:
    person = Person(1008, "fr")
    await harness.text(person, "/start")
    text = harness.screen(person).text
    assert "Leave No One Behind" in text and "Không để ai bị bỏ lại phía sau" in text
    assert "15–25 minutes" in text and "15–25 phút" in text
    assert "continue later" in text and "quay lại làm tiếp" in text
    assert labels(harness, person) == ["Tiếng Việt", "English"]


@pytest.mark.parametrize(
    ("language", "button", "stem", "now_row", "forecast_row", "here"),
    [
        (
            "en",
            "English",
            "Where you live, how true is the statement above?",
            "Row 2026 – now",
            "Row 2030 – what you expect by 2030",
            "“Here” means where you live",
        ),
        (
            "vi",
            "Tiếng Việt",
            "Ở nơi bạn sống, câu trên đúng đến mức nào?",
            "Hàng 2026 – hiện nay",
            "Hàng 2030 – bạn dự đoán đến năm 2030",
            "“Ở đây” là nơi bạn sống",
        ),
    ],
)
async def test_one_stem_fits_both_rows_and_each_row_says_what_it_asks(
    harness: Harness,
    language: str,
    button: str,
    stem: str,
    now_row: str,
    forecast_row: str,
    here: str,
) -> None:
    person = Person(1100 + len(language), language)
    await agree(harness, person, button)
    await answer_profile(harness, person)
    screen = harness.screen(person)
    text = screen.text
    assert stem in text and here in text  # "here" defined on the first statement
    assert f"▸ {now_row}: <b>" in text and f"▸ {forecast_row}: <b>" in text
    # The rows' buttons begin with a label pointing at the numbers, named as on screen.
    rows = screen.buttons()
    assert rows[0]["text"] == "2026:" and rows[6]["text"] == "2030:"
    await harness.press_data(person, rows[6]["callback_data"])
    assert forecast_row in harness.telegram.callback_answers()[-1]["text"]
    await rate(harness, person, "n", "4")
    await rate(harness, person, "f", "5")
    following = harness.screen(person).text
    assert stem in following and here not in following  # defined once, on the first only
    assert f"▸ {forecast_row}: <b>" in following
