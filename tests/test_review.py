"""The review screen: counts, changing answers, answering skipped questions, submitting."""

from __future__ import annotations

import re

import pytest

from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import (
    agree,
    answer_all,
    answer_profile,
    labels,
    rate,
    rating_button,
    statement,
)


async def test_review_changes_an_answer_and_fills_skipped_ones(harness: Harness) -> None:
    person = Person(5001, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "f", "4")  # 1.1.1: the forecast only...
    await harness.press(person, "Skip ▶")  # ...and "now" skipped
    await answer_all(harness, person, value="4")
    review = harness.screen(person).text
    assert "Statements answered: 68 of 69" in review and "Skipped: 1" in review

    await harness.press(person, "Answer skipped questions (1)")
    screen = harness.screen(person).text
    assert statement(harness, "1.1.1") in screen and "Row 2026 – now: <b>skipped</b>" in screen
    await rate(harness, person, "n", "2")
    await harness.press(person, "Next ▶")
    assert "Statements answered: 69 of 69" in harness.screen(person).text  # back to review

    await harness.press(person, "Change Climate action")
    short = harness.services.survey.item_by_code["13.1.1"][1].short
    assert short is not None
    first_climate = short("en")
    assert "4 → 4 · " + first_climate in labels(harness, person)  # its short title, not its code
    await harness.press(person, "4 → 4 · " + first_climate)
    await rate(harness, person, "f", "5")
    await harness.press(person, "Next ▶")
    await harness.press(person, "Change Climate action")
    assert any(label.startswith("4 → 5 · " + first_climate) for label in labels(harness, person))
    await harness.press(person, "Back to review")
    await harness.press(person, "Change my profile")
    await harness.press(person, "What is your gender?")
    await harness.press(person, "Prefer not to say")
    await harness.press(person, "Submit")
    assert "has been submitted" in harness.screen(person).text
    before = len(harness.telegram.bot_messages(person.id))
    await harness.text(person, "/mydata")
    mydata = "\n".join(m.text for m in harness.telegram.bot_messages(person.id)[before:])
    assert statement(harness, "13.1.1") in mydata and "Prefer not to say" in mydata
    assert "4 → 5" in mydata and "2 → 4" in mydata


async def test_a_submitted_scorecard_is_not_changed_by_old_buttons(harness: Harness) -> None:
    person = Person(5002, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    old = harness.screen(person)
    old_button = rating_button(harness, person, "n", "1")
    await answer_all(harness, person, value="3")
    await harness.press(person, "Submit")
    await harness.press_data(person, old_button, old)
    assert "already submitted" in harness.telegram.callback_answers()[-1]["text"]
    rows = await harness.services.store.fetchall(
        "SELECT value FROM ratings WHERE item_code = '1.1.1' AND kind = 'now'"
    )
    assert [r[0] for r in rows] == [3]


async def test_pick_up_to_three_goals(harness: Harness) -> None:
    person = Person(5003, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in range(400):
        if "Which goals matter most to you?" in harness.screen(person).text:
            break
        await harness.press(person, "Skip ▶")
    for goal in ["No poverty", "Quality education", "Gender equality", "Climate action"]:
        await harness.press(person, goal)
    assert "up to 3 goals" in harness.telegram.callback_answers()[-1]["text"]
    assert "Continue (3 of 3 chosen) ▶" in labels(harness, person)
    await harness.press(person, "Gender equality")  # untick one
    await harness.press(person, "Continue (2 of 3 chosen) ▶")
    assert "What would you recommend" in harness.screen(person).text


async def test_a_repeated_goal_press_stores_the_same_as_one_press(harness: Harness) -> None:
    person = Person(5004, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in range(400):
        if "Which goals matter most to you?" in harness.screen(person).text:
            break
        await harness.press(person, "Skip ▶")
    picker = harness.screen(person)
    tick = harness.button(person, "Quality education")
    await harness.press_data(person, tick, picker)
    await harness.press_data(person, tick, picker)  # the same press again (double tap)
    assert "✓ Quality education" in labels(harness, person)
    rows = await harness.services.store.fetchall(
        "SELECT selected FROM choices WHERE question_id = 'priorities'"
    )
    assert [r[0] for r in rows] == ["sdg4"]
    untick = harness.button(person, "✓ Quality education")
    await harness.press_data(person, untick)
    await harness.press_data(person, untick, picker)
    rows = await harness.services.store.fetchall(
        "SELECT selected FROM choices WHERE question_id = 'priorities'"
    )
    assert [r[0] for r in rows] == [""]


async def test_skip_on_an_answered_comment_keeps_it(harness: Harness) -> None:
    person = Person(5005, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.text(person, "The clinic is far away")
    assert (
        "Saved as your comment on No poverty." in harness.telegram.bot_messages(person.id)[-2].text
    )
    assert "Your comment: The clinic is far away" in harness.screen(person).text
    await harness.text(person, "and the road floods")  # added, never replacing
    await answer_all(harness, person, value="3")
    await harness.press(person, "Change No poverty")
    await harness.press(person, "💬 Change my comment")
    screen = harness.screen(person).text
    assert "The clinic is far away" in screen and "and the road floods" in screen
    await harness.press(person, "Keep it and continue ▶")
    stored = await harness.services.store.fetchall(
        "SELECT text FROM texts WHERE question_id = 'section:sdg1'"
    )
    assert stored[0][0] == "The clinic is far away\n\nand the road floods"
    await harness.press(person, "💬 Change my comment")
    await harness.press(person, "🗑 Remove my answer")  # only this removes it
    stored = await harness.services.store.fetchall(
        "SELECT text FROM texts WHERE question_id = 'section:sdg1'"
    )
    assert stored[0][0] is None


# --- review by statement (issue 17) ---------------------------------------------


async def test_the_review_counts_statements_and_tells_each_row_apart(harness: Harness) -> None:
    """Counts are in statements (two ratings each), not ratings; every row of a goal's
    list has its own short title, in both languages."""
    person = Person(5011, "vi")
    await agree(harness, person, "Tiếng Việt")
    await answer_profile(harness, person)
    await rate(harness, person, "n", "d")  # 1.1.1: "don't know" now...
    await rate(harness, person, "f", "4")  # ...and a forecast: answered, with a "don't know"
    await rate(harness, person, "n", "3")  # 1.2.1: now only, then skipped
    await harness.press(person, "Bỏ qua ▶")
    await answer_all(harness, person, value="4")
    review = harness.screen(person).text
    assert "Đã trả lời: 68/69 câu" in review
    assert "Có chọn “Không biết”: 1 câu" in review and "Đã bỏ qua: 1" in review
    assert "138" not in review  # never the number of ratings
    await harness.press(person, "Sửa: Xóa nghèo")
    rows = [label for label in labels(harness, person) if " · " in label]
    survey = harness.services.survey
    expected = [item.short("vi") for item in survey.sections[0].items if item.short]
    assert [row.split(" · ", 1)[1] for row in rows] == expected
    assert rows[0] == "? → 4 · Đủ ăn, đủ mặc" and rows[1] == "3 → – · Thu nhập đủ sống"
    assert len(set(rows)) == len(rows) and not any(row.endswith("…") for row in rows)


async def test_the_recommendation_is_changed_from_the_review(harness: Harness) -> None:
    person = Person(5012, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await answer_all(harness, person, value="3")
    review = harness.screen(person).text
    assert "Your recommendation: none" in review
    await harness.press(person, "Change my recommendation")
    assert "What would you recommend" in harness.screen(person).text
    await harness.text(person, "Build a bridge to the school")
    review = harness.screen(person).text
    assert "Review your answers" in review
    assert "Your recommendation: “Build a bridge to the school”" in review
    await harness.press(person, "Change my recommendation")
    await harness.text(person, "A bridge, and a bus for the children")
    assert "“A bridge, and a bus for the children”" in harness.screen(person).text
    stored = await harness.services.store.fetchall(
        "SELECT text FROM texts WHERE question_id = 'recommendations'"
    )
    assert [row[0] for row in stored] == ["A bridge, and a bus for the children"]
    await harness.press(person, "Change the goals I picked")
    for label in labels(harness, person):
        if label.startswith("✓ "):
            await harness.press(person, label)  # untick what answer_all picked
    await harness.press(person, "Quality education")
    await harness.press(person, "Climate action")
    await harness.press(person, "Continue (2 of 3 chosen) ▶")
    review = harness.screen(person).text
    assert "Goals that matter most: Quality education, Climate action" in review
    await harness.press(person, "Submit")
    assert "has been submitted" in harness.screen(person).text


@pytest.mark.parametrize(("language", "button"), [("en", "English"), ("vi", "Tiếng Việt")])
async def test_the_consent_fits_one_phone_screen_and_more_shows_the_rest(
    harness: Harness, language: str, button: str
) -> None:
    person = Person(5013 + len(language), language)
    await harness.text(person, "/start")
    await harness.press(person, button)
    short = harness.screen(person).text
    plain = re.sub(r"<[^>]+>", "", short)
    # About one screen at 390 px with its three buttons (2026.2: about 170 words).
    assert len(plain) <= 480 and len(plain.split()) <= 100, (len(plain), len(plain.split()))
    assert "/delete" in short and "15–25" in short
    more = "More about this survey" if language == "en" else "Xem thêm về khảo sát"
    await harness.press(person, more)
    full = harness.screen(person).text
    assert len(full) > 2 * len(short) and "/mydata" in full and "/mydata" not in short
    assert more not in labels(harness, person)
    await harness.press(person, "I agree" if language == "en" else "Tôi đồng ý")
    assert "prompt" not in harness.screen(person).text  # on to the first question
    consents = await harness.services.store.fetchall("SELECT agreed FROM consents")
    assert [row[0] for row in consents] == [1]
