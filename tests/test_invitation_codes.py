"""Invitation codes in /start links: checked, counted, and prefilling the profile."""

from __future__ import annotations

from storage import users
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import labels


async def test_a_code_prefills_group_and_region_and_is_counted(harness: Harness) -> None:
    store = harness.services.store
    await users.add_invitation(
        store,
        "youth-north-Zk3",
        label="Youth Union Hà Giang",
        prefill={"group": "youth", "region": "north", "bogus": "x", "area": "mars"},
        max_uses=2,
    )
    person = Person(4001, "en")
    await harness.text(person, "/start youth-north-Zk3")
    await harness.press(person, "English")
    await harness.press(person, "I agree")
    # group and region were prefilled, so the first question asked is the area.
    assert "What kind of area do you live in?" in harness.screen(person).text
    assert "Urban" in labels(harness, person)
    invitation = await users.get_invitation(store, "youth-north-Zk3")
    assert invitation is not None and invitation.uses == 1


async def test_unknown_expired_and_used_up_codes_get_a_polite_message(harness: Harness) -> None:
    store = harness.services.store
    await users.add_invitation(store, "expired-code", expires_at="2020-01-01T00:00:00Z")
    await users.add_invitation(store, "used-up-code", max_uses=0)
    for number, code in enumerate(["no-such-code", "expired-code", "used-up-code"]):
        person = Person(4100 + number, "en")
        await harness.text(person, f"/start {code}")
        messages = harness.telegram.bot_messages(person.id)
        assert "unknown, expired or already used up" in messages[-2].text
        assert "Choose your language" in messages[-1].text  # they can still take part


async def test_the_last_use_of_a_code_goes_to_one_person_only(harness: Harness) -> None:
    store = harness.services.store
    await users.add_invitation(store, "last-seat", prefill={"group": "women"}, max_uses=1)
    first, second = Person(4201, "en"), Person(4202, "en")
    for person in (first, second):  # both open the link before either agrees
        await harness.text(person, "/start last-seat")
        await harness.press(person, "English")
    for person in (first, second):
        await harness.press(person, "I agree")
    assert "What kind of area" not in harness.screen(first).text  # group prefilled: region next
    assert "Which region" in harness.screen(first).text
    assert "Which of these groups do you belong to?" in harness.screen(second).text  # no prefill
    invitation = await users.get_invitation(store, "last-seat")
    assert invitation is not None and invitation.uses == 1
