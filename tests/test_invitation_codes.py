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
