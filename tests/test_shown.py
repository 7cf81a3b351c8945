"""The shown screen is a typed value, stored as the strings existing databases hold."""

from __future__ import annotations

import pytest

from conversations import shown
from conversations.shown import AtStep, GuardianWait, Review
from storage import responses, users
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_profile

# Every value responses.shown_step has held, and what it reads as.
STORED = [
    (None, None),
    ("p0", AtStep("p0")),
    ("r12", AtStep("r12")),
    ("c3", AtStep("c3")),
    ("q1", AtStep("q1")),
    ("rv", Review()),
    ("rv:prf", Review(shown.PROFILE)),
    ("rv:s0", Review(0)),
    ("rv:s16", Review(16)),
    ("gw", GuardianWait()),
]


@pytest.mark.parametrize(("stored", "value"), STORED)
def test_every_stored_value_reads_and_writes_back_the_same(
    stored: str | None, value: object
) -> None:
    assert shown.decode(stored) == value
    assert shown.encode(value) == stored  # type: ignore[arg-type]


@pytest.mark.parametrize("junk", ["", "rv:", "rv:x", "rv:s", "rv:s01", "rv:s-1"])
def test_an_unreadable_value_reads_as_nothing_chosen(junk: str) -> None:
    assert shown.decode(junk) is None


async def test_a_finished_guardian_wait_shows_the_first_open_question(harness: Harness) -> None:
    """The waiting screen is no step: once the wait is over, the first open question."""
    survey = harness.services.survey
    assert shown.live(survey, responses.Answers(), GuardianWait()) == AtStep("p0")
    assert shown.current(survey, responses.Answers(), "gw") == AtStep("p0")


async def test_the_column_keeps_its_format(harness: Harness) -> None:
    """Navigation writes the same strings as before the values were typed."""
    person = Person(4801, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    store = harness.services.store
    user = await users.get_user(store, person.id)
    assert user is not None

    async def column() -> str | None:
        response = await responses.get_response(store, user.id, harness.services.survey.id)
        assert response is not None
        return response.shown_step

    await harness.press(person, "Back")
    assert await column() == "p4"
    for stored in ("rv", "rv:prf", "rv:s2"):
        await store.execute("UPDATE responses SET shown_step = ?", (stored,))
        await harness.text(person, "/resume")  # resume shows the first open question
        await store.execute("UPDATE responses SET shown_step = ?", (stored,))
        await harness.text(person, "hello")  # typed: the screen it is on, again
        assert await column() == stored
