"""/results: a respondent compares their ratings with people like them."""

from __future__ import annotations

from reporting.results import results_text
from storage import users
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import Respondent, add_respondent, woman, youth


async def english(h: Harness, telegram_id: int) -> Person:
    user = await users.get_user(h.services.store, telegram_id)
    assert user is not None
    await users.set_language(h.services.store, user.id, "en")
    return Person(telegram_id, "en")


async def test_results_compare_with_own_group_and_region(digest_harness: Harness) -> None:
    person = await english(digest_harness, 800001)  # youth, north: rated 1 now, 2 forecast
    await digest_harness.text(person, "/results")
    text = digest_harness.screen(person).text
    sdg1 = text.split("<b>SDG 1: No poverty</b>\n")[1].split("\n\n")[0]
    # Youth and North are hidden second at k = 5: everyone's mean minus theirs would
    # give the two women of the south away (the digest hides them the same way).
    assert sdg1.splitlines() == ["You: 1.0 → 2.0"]
    # Named once, with why: not too few, hidden so the women cannot be worked out.
    assert (
        "Hidden: Youth, North. Showing them would let a smaller group&#x27;s answers be"
        " worked out from the other numbers." in text
    )
    assert "Fewer than 5 people in them" not in text
    assert "Groups with fewer than 5 people are never shown." in text
    # Three more southern women and four more rural youths (who rated nothing):
    # no set of fewer than 5 people is left, and youth and north are shown.
    h = digest_harness
    store, survey = h.services.store, h.services.survey
    for n in (3, 4, 5):
        await add_respondent(store, survey, woman(n, 1, 2, 3))
    for n in (7, 8, 9, 10):
        rater = youth(n, None, None, area="rural")
        rater.ratings = {}
        await add_respondent(store, survey, rater)
    shown = results_text(str(h.settings.storage.database), survey, 800001, "en", 5) or ""
    sdg1 = shown.split("<b>SDG 1: No poverty</b>\n")[1].split("\n\n")[0]
    assert sdg1.splitlines() == ["You: 1.0 → 2.0", "Youth: 3.0 → 3.8", "North: 3.0 → 3.8"]
    assert "Hidden:" not in shown


async def test_small_groups_stay_hidden_in_results(digest_harness: Harness) -> None:
    person = await english(digest_harness, 810001)  # women, south: two people
    await digest_harness.text(person, "/results")
    text = digest_harness.screen(person).text
    sdg1 = text.split("<b>SDG 1: No poverty</b>\n")[1].split("\n\n")[0]
    # Hidden on every goal: named once at the end instead of on every goal.
    assert sdg1.splitlines() == ["You: 1.0 → 2.0"]
    assert "Women" not in text.split("\n\n")[2]
    assert text.endswith(
        "\n\nHidden: Women, South. Fewer than 5 people in them have answered.\n"
        "Groups with fewer than 5 people are never shown.\n"
        "This keeps the people in them from being recognised."
    )
    lines = text.splitlines()
    assert not [line for line in lines if line.startswith(("Women:", "South:", "–:"))]
    assert text.count("idden") == 1


async def test_results_wait_until_the_answers_are_submitted(digest_harness: Harness) -> None:
    await add_respondent(
        digest_harness.services.store,
        digest_harness.services.survey,
        Respondent(840001, {"group": "youth"}, {("1.1.1", "now"): 4}, submit=False),
    )
    person = await english(digest_harness, 840001)
    await digest_harness.text(person, "/results")
    assert digest_harness.screen(person).text == (
        "You will see the results here after you submit your answers."
    )
