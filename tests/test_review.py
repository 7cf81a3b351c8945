"""The review screen: counts, changing answers, answering skipped questions, submitting."""

from __future__ import annotations

from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_all, answer_profile, labels


async def test_review_changes_an_answer_and_fills_skipped_ones(harness: Harness) -> None:
    person = Person(5001, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.press(person, "Skip")  # 1.1.1 now skipped
    await answer_all(harness, person, value="4")
    review = harness.screen(person).text
    assert "Ratings given: 137 of 138" in review and "Skipped: 1" in review

    await harness.press(person, "Answer skipped questions (1)")
    assert (
        "1.1.1" in harness.screen(person).text
        and "Level reached in 2022" in harness.screen(person).text
    )
    await harness.press(person, "2 Low")
    assert "Ratings given: 138 of 138" in harness.screen(person).text  # straight back to review

    await harness.press(person, "Change Climate action")
    assert "13.1.1 · 2025: 4" in labels(harness, person)
    await harness.press(person, "13.1.1 · 2025: 4")
    await harness.press(person, "5 Done")
    await harness.press(person, "Change Climate action")
    assert "13.1.1 · 2025: 5" in labels(harness, person)
    await harness.press(person, "Back to review")
    await harness.press(person, "Change my profile")
    await harness.press(person, "What is your gender?")
    await harness.press(person, "Prefer not to say")
    await harness.press(person, "Submit")
    assert "has been submitted" in harness.screen(person).text
    await harness.text(person, "/mydata")
    mydata = harness.screen(person).text
    assert "13.1.1: 4 → 5" in mydata and "1.1.1: 2 → 4" in mydata and "Prefer not to say" in mydata


async def test_a_submitted_scorecard_is_not_changed_by_old_buttons(harness: Harness) -> None:
    person = Person(5002, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    old = harness.screen(person)
    old_button = harness.button(person, "1 Very low")
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
        data = [b["callback_data"] for b in harness.screen(person).buttons()]
        rating = [d for d in data if d.endswith("|d")]
        await harness.press_data(
            person, rating[0] if rating else next(d for d in data if d.endswith("|s"))
        )
    for goal in ["No poverty", "Quality education", "Gender equality", "Climate action"]:
        await harness.press(person, goal)
    assert "up to 3 goals" in harness.telegram.callback_answers()[-1]["text"]
    assert "Done (3/3)" in labels(harness, person)
    await harness.press(person, "Gender equality")  # untick one
    await harness.press(person, "Done (2/3)")
    assert "What would you recommend" in harness.screen(person).text
