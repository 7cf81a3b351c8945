"""Skip logic at run time: ``relevant`` decides what a person sees, counts and walks.

The survey is the shipped scorecard with three expressions added:

* a short form: aged 31-45, only the first two indicators of each goal;
* the climate goal (sdg13) only outside towns (``${area} != 'urban'``);
* the gender question only outside the south (``${region} != 'south'``).

(Children would also make a good short form, but they wait for a guardian's
consent first: conversations/guardian.py.)
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import pytest

from conversations.callbacks import step_data
from storage import responses, users
from storage.responses import Answers
from survey.model import DEFAULT_SURVEY, load_survey
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, labels, rate, step_of

SHORT = "${age_band} != '31_45'"
# Profile choices by index: group youth, region north, area urban / rural, age band
# 16-30 / 31-45, gender female.
URBAN_SHORT = [1, 0, 0, 2, 0]
RURAL_SHORT = [1, 0, 1, 2, 0]
URBAN_FULL = [1, 0, 0, 1, 0]


def skip_logic_survey(folder: Path) -> Path:
    text = resources.files("survey.files").joinpath(DEFAULT_SURVEY).read_text("utf-8")
    shipped = load_survey()
    # The child's form (the shipped file's own ``relevant``) gives way to the short
    # form here: these respondents are adults, and one item has one expression.
    text = re.sub(r"(?m)^relevant = .*\n", "", text)
    for section in shipped.sections:
        for item in section.items[2:]:
            line = f'code = "{item.code}"\n'
            text = text.replace(line, f'{line}relevant = "{SHORT}"\n')
    text = text.replace('id = "sdg13"\n', 'id = "sdg13"\nrelevant = "${area} != \'urban\'"\n')
    text = text.replace('id = "gender"\n', 'id = "gender"\nrelevant = "${region} != \'south\'"\n')
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "skip-logic.toml"
    path.write_text(text, encoding="utf-8")
    return path


def settings(database: Path) -> object:
    return make_settings(database, survey={"file": str(skip_logic_survey(database.parent))})


@pytest.fixture
async def skipping(database: Path) -> AsyncIterator[Harness]:
    async with Harness(settings(database)) as running:  # type: ignore[arg-type]
        yield running


def progress(harness: Harness, person: Person) -> str:
    found = re.search(r"Goal \d+ of \d+ · \d+ of \d+", harness.screen(person).text)
    assert found, harness.screen(person).text
    return found[0]


def shown_step(harness: Harness, person: Person) -> str:
    return next(
        step_of(b["callback_data"])
        for b in harness.screen(person).buttons()
        if step_of(b["callback_data"]) not in {"", "rv", "ed"}
    )


async def stored(harness: Harness, person: Person) -> Answers:
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    response = await responses.get_response(
        harness.services.store, user.id, harness.services.survey.id
    )
    assert response is not None
    return await responses.load_answers(harness.services.store, response.id)


def item_index(harness: Harness, code: str) -> int:
    return next(
        i for i, (_s, item) in enumerate(harness.services.survey.items) if item.code == code
    )


async def test_short_form_shows_and_counts_only_relevant_items(skipping: Harness) -> None:
    person = Person(3001, "en")
    await agree(skipping, person)
    await answer_profile(skipping, person, URBAN_SHORT)
    assert progress(skipping, person) == "Goal 1 of 5 · 1 of 10"
    await rate(skipping, person, "n", "4")
    await rate(skipping, person, "f", "5")
    assert progress(skipping, person) == "Goal 1 of 5 · 2 of 10"
    await rate(skipping, person, "n", "4")
    await rate(skipping, person, "f", "5")
    # The goal's third indicator is hidden: on to goal 2, and goal 1 counts as done.
    screen = skipping.screen(person).text
    assert progress(skipping, person) == "Goal 2 of 5 · 3 of 10"
    assert "Goal 1 done: No poverty" in screen
    sdg4 = skipping.services.survey.sections[1].items[0].code
    assert shown_step(skipping, person) == f"r{item_index(skipping, sdg4)}"

    await answer_all(skipping, person)
    review = skipping.screen(person).text
    assert "Statements answered: 10 of 10" in review
    changes = [label for label in labels(skipping, person) if label.startswith("Change ")]
    assert "Change Climate action" not in changes
    assert len(changes) == 6  # five goals and the profile
    await skipping.press(person, "Change No poverty")
    items = [label for label in labels(skipping, person) if "→" in label]
    assert len(items) == 2
    await skipping.press(person, "Back to review")
    await skipping.press(person, "Submit")
    assert "submitted" in skipping.screen(person).text
    answers = await stored(skipping, person)
    assert len(answers.ratings) == 20


async def test_a_hidden_profile_question_is_not_asked_nor_counted(skipping: Harness) -> None:
    person = Person(3002, "en")
    await agree(skipping, person)
    await answer_profile(skipping, person, [1, 2])  # group, region south
    assert "About you (3/4)" in skipping.screen(person).text
    await answer_profile(skipping, person, [0, 2])  # area urban, 31-45: no gender question
    assert progress(skipping, person) == "Goal 1 of 5 · 1 of 10"
    assert "gender" not in (await stored(skipping, person)).profile
    await skipping.press(person, "Back")
    assert "About you (4/4)" in skipping.screen(person).text  # the age band, not gender


async def test_changing_the_profile_from_review_changes_what_is_visible(
    skipping: Harness,
) -> None:
    person = Person(3003, "en")
    await agree(skipping, person)
    await answer_profile(skipping, person, URBAN_SHORT)
    await answer_all(skipping, person)
    assert "Statements answered: 10 of 10" in skipping.screen(person).text

    # Rural: the climate goal appears, and its first indicator is the frontier.
    await skipping.press(person, "Change my profile")
    await skipping.press(person, "What kind of area")
    await skipping.press(person, "Rural")
    assert progress(skipping, person) == "Goal 5 of 6 · 9 of 12"
    assert "Climate action" in skipping.screen(person).text
    await rate(skipping, person, "n", "2")
    await rate(skipping, person, "f", "3")
    assert progress(skipping, person) == "Goal 5 of 6 · 10 of 12"
    await rate(skipping, person, "n", "2")
    await rate(skipping, person, "f", "3")
    review = skipping.screen(person).text
    assert "Statements answered: 12 of 12" in review
    assert "Change Climate action" in labels(skipping, person)

    # Back in town: the climate ratings are kept but no longer counted.
    await skipping.press(person, "Change my profile")
    await skipping.press(person, "What kind of area")
    await skipping.press(person, "Urban")
    assert "Statements answered: 10 of 10" in skipping.screen(person).text
    assert "Change Climate action" not in labels(skipping, person)
    climate = [c for c, _k in (await stored(skipping, person)).ratings if c.startswith("13.")]
    assert len(climate) == 4

    # 16-30: the whole form; the frontier is goal 1's third indicator.
    await skipping.press(person, "Change my profile")
    await skipping.press(person, "How old are you?")
    await skipping.press(person, "16–30")
    third = skipping.services.survey.sections[0].items[2].code
    assert shown_step(skipping, person) == f"r{item_index(skipping, third)}"
    total = sum(len(s.items) for s in skipping.services.survey.sections if s.id != "sdg13")
    assert progress(skipping, person) == f"Goal 1 of 5 · 3 of {total}"


async def test_back_and_next_skip_hidden_items(skipping: Harness) -> None:
    person = Person(3004, "en")
    await agree(skipping, person)
    await answer_profile(skipping, person, URBAN_SHORT)
    for _ in range(2):
        await rate(skipping, person, "n", "3")
        await rate(skipping, person, "f", "3")
    assert progress(skipping, person) == "Goal 2 of 5 · 3 of 10"
    await skipping.press(person, "Back")
    assert shown_step(skipping, person) == "r1"  # goal 1's second, not its hidden last
    await skipping.press(person, "Back")
    assert shown_step(skipping, person) == "r0"
    await skipping.press(person, "Back")
    assert "What is your gender?" in skipping.screen(person).text
    await skipping.press(person, "Back")
    await skipping.press(person, "Back")
    assert "What kind of area" in skipping.screen(person).text
    await skipping.press(person, "Urban")  # the same answer: on to the frontier
    assert progress(skipping, person) == "Goal 2 of 5 · 3 of 10"
    await skipping.press(person, "Back")
    await skipping.press(person, "Next")
    assert progress(skipping, person) == "Goal 2 of 5 · 3 of 10"
    # Goal 4 (sdg8) is followed by goal 6 (sdg16): the climate goal is hidden.
    for _ in range(6):
        await rate(skipping, person, "n", "3")
        await rate(skipping, person, "f", "3")
    assert progress(skipping, person) == "Goal 5 of 5 · 9 of 10"
    assert "Peace, justice" in skipping.screen(person).text
    await skipping.press(person, "Back")
    assert progress(skipping, person) == "Goal 4 of 5 · 8 of 10"


async def test_resume_after_restart_lands_on_the_next_visible_item(database: Path) -> None:
    person = Person(3005, "en")
    async with Harness(settings(database)) as first:  # type: ignore[arg-type]
        await agree(first, person)
        await answer_profile(first, person, URBAN_SHORT)
        for _ in range(2):
            await rate(first, person, "n", "3")
            await rate(first, person, "f", "3")
        sdg4 = first.services.survey.sections[1].items[0].code
        expected = f"r{item_index(first, sdg4)}"
    async with Harness(settings(database)) as second:  # type: ignore[arg-type]
        await second.text(person, "/resume")
        assert progress(second, person) == "Goal 2 of 5 · 3 of 10"
        assert shown_step(second, person) == expected


async def test_a_forged_press_on_a_hidden_item_stores_nothing(skipping: Harness) -> None:
    person = Person(3006, "en")
    await agree(skipping, person)
    await answer_profile(skipping, person, URBAN_SHORT)
    survey = skipping.services.survey
    hidden = f"r{item_index(skipping, survey.sections[0].items[2].code)}"
    climate = f"r{item_index(skipping, survey.sections[4].items[0].code)}"
    for data in (
        step_data(survey, hidden, "n4"),
        step_data(survey, climate, "s"),
        step_data(survey, "ed", hidden),
        step_data(survey, "rv", "s4"),  # "Change Climate action"
    ):
        await skipping.press_data(person, data)
        assert progress(skipping, person) == "Goal 1 of 5 · 1 of 10"
    answers = await stored(skipping, person)
    assert answers.ratings == {}
    answered = [a for a in skipping.telegram.callback_answers() if "out of date" in str(a)]
    assert len(answered) == 4


async def test_without_relevant_nothing_changes(harness: Harness) -> None:
    person = Person(3007, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    assert progress(harness, person) == "Goal 1 of 6 · 1 of 69"
    assert "About you" not in harness.screen(person).text
