"""Closing the loop: a respondent who opted in at the end of the survey hears when an
action on what they rated is agreed or done; nobody else does, never at night, at
most once a day, and never after /stop."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.coordinator.followup import send_pending
from storage import actions, followup, users
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile
from tests.digest.conftest import ADMIN

SOON = date.today() + timedelta(days=30)


async def take_part(h: Harness, person: Person, hear: bool | None) -> None:
    await agree(h, person)
    await answer_profile(h, person)
    await answer_all(h, person)
    await h.press(person, "Submit")
    screen = h.screen(person)
    assert "Would you like a short message when an action is agreed or done" in screen.text
    if hear is not None:
        await h.press(person, "Yes, tell me" if hear else "No, thank you")


def texts(h: Harness, person: Person) -> list[str]:
    return [m.text for m in h.telegram.bot_messages(person.id)]


@pytest.fixture
async def loop_harness(database: Path):  # type: ignore[no-untyped-def]
    settings = make_settings(database, access={"admins": [ADMIN]}, outreach={"quiet_hours": ""})
    async with Harness(settings) as running:
        admin = await users.ensure_user(running.services.store, ADMIN, ADMIN)
        await users.set_language(running.services.store, admin.id, "en")
        yield running


async def add_action(h: Harness, admin: Person, code: str) -> None:
    await h.text(admin, "/actions")
    await h.press(admin, "New action")
    for answer in (code, "Thiếu lớp học thêm", "Mở lớp học hè", "UBND xã", "-",
                   SOON.isoformat()):  # fmt: skip
        await h.text(admin, answer)
    await h.press(admin, "Save")


async def test_only_those_who_opted_in_hear_once_a_day(loop_harness: Harness) -> None:
    h, admin = loop_harness, Person(ADMIN, "en")
    yes, no, silent = Person(7101, "en"), Person(7102, "en"), Person(7103, "en")
    await take_part(h, yes, True)
    assert "we will tell you when an action is agreed or done" in h.screen(yes).text
    assert h.screen(yes).buttons() == []
    await take_part(h, no, False)
    await take_part(h, silent, None)  # off by default
    before = {p.id: len(texts(h, p)) for p in (yes, no, silent)}

    await add_action(h, admin, "1.1.1")
    told = texts(h, yes)[before[yes.id]:]
    assert len(told) == 1
    statement = h.services.survey.item_by_code["1.1.1"][1].label("en")
    assert f"You and others rated: “{statement}”" in told[0]
    assert f"UBND xã agreed to: Mở lớp học hè, by {SOON.isoformat()}" in told[0]
    assert str(ADMIN) not in told[0] and "Send /stop" in told[0]
    assert len(texts(h, no)) == before[no.id] and len(texts(h, silent)) == before[silent.id]
    # /results shows everyone the actions agreed for their place.
    await h.text(no, "/results")
    shown = "\n".join(texts(h, no)[before[no.id]:])
    assert "Actions agreed where you live" in shown
    assert f"1.1.1: Mở lớp học hè — UBND xã, by {SOON.isoformat()} (Agreed)" in shown

    # Done the same day: held back by the rate limit, sent by the job a day later.
    await h.press(admin, "Done")
    assert len(texts(h, yes)) == before[yes.id] + 1
    assert await send_pending(h.app, datetime.now(UTC) + timedelta(hours=25)) == 1
    assert "is done" in texts(h, yes)[-1]
    assert await send_pending(h.app, datetime.now(UTC) + timedelta(hours=50)) == 0  # once


async def test_quiet_hours_and_stop(database: Path) -> None:
    settings = make_settings(database, access={"admins": [ADMIN]},
                             outreach={"quiet_hours": "21:00-08:00"})  # fmt: skip
    async with Harness(settings) as h:
        person = Person(7201, "en")
        await take_part(h, person, True)
        user = await users.get_user(h.services.store, person.id)
        assert user is not None and await followup.is_opted_in(h.services.store, user.id)
        action = await actions.add(h.services.store, ADMIN, actions.NewAction(
            "", "{}", "i", "Mở lớp", "UBND xã", "", SOON.isoformat(),
            ("1.1.1",), date.today().isoformat()))  # fmt: skip
        for recipient in await followup.recipients(h.services.store, action, h.services.survey.id):
            await followup.claim_notice(h.services.store, action, recipient.user_id, "agreed")
        night = datetime.now(settings.zone).replace(hour=23, minute=0)
        assert await send_pending(h.app, night) == 0  # quiet hours: waits
        await h.text(person, "/stop")
        morning = (night + timedelta(hours=10)).replace(hour=9)
        assert await send_pending(h.app, morning) == 0  # stopped: never sent
        assert await followup.pending(h.services.store) == []
