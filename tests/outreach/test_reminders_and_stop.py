"""Reminders reach only those who paused, by day, at most M times; /stop ends all outreach."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.admin.reminders import send_due
from bot.config import ConfigError, load_settings
from storage import broadcasts, responses, users
from storage import outreach as outreach_storage
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_all, answer_profile
from tests.outreach.conftest import ADMIN

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
REMINDER = "You started the community SDG scorecard but have not finished it yet."


def _local(days_ahead: float, hour: int) -> datetime:
    day = (datetime.now(ZONE) + timedelta(days=days_ahead)).date()
    return datetime.combine(day, time(hour, 0), ZONE)


def _reminders(harness: Harness, person: Person) -> list[str]:
    # The thanks screen names /stop too (for hearing about actions): it is no reminder.
    return [
        m.text
        for m in harness.telegram.bot_messages(person.id)
        if "/stop" in m.text and "has been submitted" not in m.text
    ]


async def _paused(harness: Harness, person_id: int, language: str = "English") -> Person:
    person = Person(person_id, "en")
    await agree(harness, person, language)
    await harness.press_data(person, harness.screen(person).buttons()[0]["callback_data"])
    return person


async def test_only_paused_people_get_a_reminder_by_day(outreach: Harness) -> None:
    paused = await _paused(outreach, 7001)
    finished = Person(7002, "en")
    await agree(outreach, finished)
    await answer_profile(outreach, finished)
    await answer_all(outreach, finished)
    await outreach.press(finished, "Submit")
    stopped = await _paused(outreach, 7003)
    await outreach.text(stopped, "/stop")
    blocked = await _paused(outreach, 7004)
    await users.mark_blocked(outreach.services.store, blocked.id, True)
    # Too early: they paused just now.
    assert await send_due(outreach.app, _local(0, 10)) == 0
    # Four days later, but 23:00 where they live: quiet hours.
    assert await send_due(outreach.app, _local(4, 23)) == 0
    assert await send_due(outreach.app, _local(4, 7)) == 0
    assert await send_due(outreach.app, _local(4, 10)) == 1
    assert len(_reminders(outreach, paused)) == 1
    assert REMINDER in _reminders(outreach, paused)[0]
    assert _reminders(outreach, finished) == [] and _reminders(outreach, blocked) == []
    assert not any(REMINDER in text for text in _reminders(outreach, stopped))


async def test_at_most_m_reminders_and_not_again_within_n_days(outreach: Harness) -> None:
    paused = await _paused(outreach, 7101)
    assert await send_due(outreach.app, _local(4, 10)) == 1
    assert await send_due(outreach.app, _local(5, 10)) == 0  # within N=3 days of the last one
    assert await send_due(outreach.app, _local(8, 10)) == 1
    assert await send_due(outreach.app, _local(12, 10)) == 0  # M=2 reached
    assert await send_due(outreach.app, _local(30, 10)) == 0
    assert len(_reminders(outreach, paused)) == 2


async def test_reminders_speak_the_persons_language_and_continue_the_survey(
    outreach: Harness,
) -> None:
    person = await _paused(outreach, 7201, "Tiếng Việt")
    question = outreach.screen(person).text
    assert await send_due(outreach.app, _local(4, 10)) == 1
    reminder = outreach.screen(person)
    assert "/stop" in reminder.text and REMINDER not in reminder.text  # Vietnamese
    await outreach.press_data(person, reminder.buttons()[0]["callback_data"], reminder)
    # The button leads straight back to the question they stopped at.
    assert outreach.screen(person).text == question


async def test_stop_ends_reminders_and_broadcasts_until_start(outreach: Harness) -> None:
    person = await _paused(outreach, 7301)
    await outreach.text(person, "/stop")
    assert "no more reminders or announcements" in outreach.screen(person).text
    user = await users.get_user(outreach.services.store, person.id)
    assert user is not None and user.opted_out_at is not None
    assert await send_due(outreach.app, _local(4, 10)) == 0
    admin = Person(ADMIN, "en")
    await outreach.text(admin, "/broadcast all Hello")
    assert "Recipients: 1" in outreach.screen(admin).text  # only the admin
    await outreach.text(person, "/start")
    user = await users.get_user(outreach.services.store, person.id)
    assert user is not None and user.opted_out_at is None
    assert await send_due(outreach.app, _local(4, 10)) == 1


def test_bad_outreach_settings_name_the_setting(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text('[outreach]\nquiet_hours = "late"\n')
    with pytest.raises(ConfigError, match=r"^outreach\.quiet_hours: must look like 21:00-08:00"):
        load_settings(config)
    monkeypatch.setenv("SCORECARD_OUTREACH__BROADCAST_RATE", "45")
    config.write_text("")
    with pytest.raises(ConfigError, match=r"^outreach\.broadcast_rate: must be at most 30"):
        load_settings(config)


async def test_respondents_without_a_telegram_account_are_never_messaged(
    outreach: Harness,
) -> None:
    """Interview and paper respondents (negative ids, chat 0) are in no audience."""
    store = outreach.services.store
    survey = outreach.services.survey
    offline = await users.create_offline_user(store, "vi")
    assert offline.telegram_id < 0 and offline.chat_id == 0
    await users.record_consent(store, offline.id, True, "test")
    response = await responses.start_response(
        store, offline.id, survey.id, survey.version, survey.content_hash, None, {}, "interview"
    )
    assert response.mode == "interview"
    second = await users.create_offline_user(store)
    assert second.telegram_id == offline.telegram_id - 1
    for audience in ("all", "paused"):
        assert offline.id not in {
            u for _c, u in await broadcasts.audience_users(store, audience, survey.id)
        }
    assert await outreach_storage.due_reminders(store, survey.id, "9999", 5) == []
