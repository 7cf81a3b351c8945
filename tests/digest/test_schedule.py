"""Schedules and deliveries, with "now" injected: nothing here sleeps."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.coordinator import delivery
from bot.coordinator.schedule import ScheduleError, parse_schedule
from storage import digests
from storage.digests import Coordinator
from tests.auxil.harness import Harness
from tests.digest.conftest import (
    ADMIN,
    COORDINATOR,
    DATASET,
    FilesTelegram,
    add_respondent,
    digest_settings,
)

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # UTC+7


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def test_weekly_and_daily_schedules_fall_due_in_local_time() -> None:
    monday = parse_schedule("mon 08:00")
    assert monday is not None
    # Wednesday 26 Nov 2026 10:00 local: the last Monday 08:00 was the 23rd.
    assert monday.last_due(local("2026-11-26T10:00"), ZONE) == local("2026-11-23T08:00")
    assert monday.next_due(local("2026-11-26T10:00"), ZONE) == local("2026-11-30T08:00")
    # 01:30 UTC on Monday is 08:30 local: due already that morning.
    assert monday.last_due(datetime(2026, 11, 30, 1, 30, tzinfo=UTC), ZONE) == local(
        "2026-11-30T08:00"
    )
    assert monday.window(local("2026-11-30T08:00")) == (
        local("2026-11-23T08:00"),
        local("2026-11-30T08:00"),
    )
    daily = parse_schedule("daily 07:30")
    assert daily is not None
    assert daily.last_due(local("2026-11-26T07:29"), ZONE) == local("2026-11-25T07:30")
    assert parse_schedule("18:05") == parse_schedule("daily 18:05")
    assert parse_schedule("off") is None
    for bad in ("monday 8", "25:00", "mon", "every day"):
        with pytest.raises(ScheduleError):
            parse_schedule(bad)


def sent_to(h: Harness, chat_id: int, method: str) -> int:
    return sum(
        1
        for call in h.telegram.calls
        if call.method == method and int(call.params["chat_id"]) == chat_id
    )


async def test_a_missed_digest_is_sent_once_at_start_up_and_jobs_are_rebuilt(
    digest_harness: Harness,
) -> None:
    later = datetime.now(UTC) + timedelta(days=2)
    assert await delivery.restore(digest_harness.app, later) == ["sent"]
    assert [sent_to(digest_harness, COORDINATOR, m) for m in
            ("sendMessage", "sendMediaGroup", "sendDocument")] == [1, 1, 1]  # fmt: skip
    text = digest_harness.telegram.bot_messages(COORDINATOR)[0].text
    assert "Scope: North" in text  # the config scope, in the coordinator's language
    # A second start-up in the same period sends nothing again.
    assert await delivery.restore(digest_harness.app, later + timedelta(minutes=5)) == [
        "already sent"
    ]
    assert sent_to(digest_harness, COORDINATOR, "sendMessage") == 1
    rows = await digests.deliveries(digest_harness.services.store, COORDINATOR)
    assert [(r.status, r.parts) for r in rows] == [("sent", 3)]
    assert digest_harness.app.job_queue.get_jobs_by_name(f"digest:{COORDINATOR}")


def test_only_windows_due_after_a_coordinator_was_added_are_caught_up(
    digest_harness: Harness,
) -> None:
    settings = digest_harness.settings
    added = Coordinator(1, "{}", "daily 08:00", "vi", "chat", True, "2026-11-25T02:00:00.000000Z")
    # Added at 09:00 local on the 25th: the 08:00 digest that day is not theirs to catch up.
    assert delivery.missed_window(added, local("2026-11-25T20:00"), settings) is None
    assert delivery.missed_window(added, local("2026-11-26T09:00"), settings) == (
        local("2026-11-25T08:00"),
        local("2026-11-26T08:00"),
    )
    off = Coordinator(1, "{}", "off", "vi", "chat", True, "2026-11-01T00:00:00.000000Z")
    assert delivery.missed_window(off, local("2026-11-26T09:00"), settings) is None


async def test_blocked_coordinator_is_marked_inactive_and_admins_are_told(
    digest_harness: Harness,
) -> None:
    digest_harness.telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    later = datetime.now(UTC) + timedelta(days=2)
    assert await delivery.restore(digest_harness.app, later) == ["blocked"]
    coordinator = await digests.get_coordinator(digest_harness.services.store, COORDINATOR)
    assert coordinator is not None and not coordinator.active
    assert "blocked the bot" in digest_harness.telegram.last_bot_message(ADMIN).text
    # Inactive: the next start-up neither retries nor schedules anything.
    assert await delivery.restore(digest_harness.app, later + timedelta(days=1)) == []
    assert sent_to(digest_harness, COORDINATOR, "sendMediaGroup") == 0


async def test_429_and_network_errors_resume_without_repeating_sent_parts(
    digest_harness: Harness,
) -> None:
    app, telegram = digest_harness.app, digest_harness.telegram
    telegram.fail("sendMediaGroup", 429, "Too Many Requests: retry after 30", retry_after=30)
    later = datetime.now(UTC) + timedelta(days=2)
    assert await delivery.restore(app, later) == ["retry after"]
    retry_jobs = app.job_queue.get_jobs_by_name(f"digest:retry:{COORDINATOR}")
    assert len(retry_jobs) == 1
    # The retry (run here directly) fails on the network at the workbook...
    telegram.fail("sendDocument", 502, "Bad Gateway")
    row = (await digests.deliveries(digest_harness.services.store, COORDINATOR))[0]
    window = (delivery.parse_stamp(row.window_start), delivery.parse_stamp(row.window_end))
    assert await delivery.deliver(app, COORDINATOR, *window) == "retrying"
    # ...and the next attempt sends only what is missing.
    assert await delivery.deliver(app, COORDINATOR, *window) == "sent"
    assert await delivery.deliver(app, COORDINATOR, *window) == "already sent"
    assert [sent_to(digest_harness, COORDINATOR, m) for m in
            ("sendMessage", "sendMediaGroup", "sendDocument")] == [1, 2, 2]  # fmt: skip
    assert len(telegram.bot_messages(COORDINATOR)) == 1 + 2 + 1  # text, two photos, workbook
    rows = await digests.deliveries(digest_harness.services.store, COORDINATOR)
    assert [(r.status, r.attempts) for r in rows] == [("sent", 3)]


async def test_failed_attempts_back_off_then_give_up_and_tell_admins(
    digest_harness: Harness,
) -> None:
    app, telegram = digest_harness.app, digest_harness.telegram
    telegram.fail("sendMessage", 502, "Bad Gateway", times=len(delivery.BACKOFF) + 1)
    later = datetime.now(UTC) + timedelta(days=2)
    outcomes = await delivery.restore(app, later)
    row = (await digests.deliveries(digest_harness.services.store, COORDINATOR))[0]
    window = (delivery.parse_stamp(row.window_start), delivery.parse_stamp(row.window_end))
    for _attempt in delivery.BACKOFF:
        outcomes.append(await delivery.deliver(app, COORDINATOR, *window))
    assert outcomes == ["retrying"] * len(delivery.BACKOFF) + ["failed"]
    assert "failed" in telegram.last_bot_message(ADMIN).text
    assert await delivery.deliver(app, COORDINATOR, *window) == "already sent"


async def test_a_config_coordinator_with_an_unknown_scope_is_not_one(database) -> None:  # type: ignore[no-untyped-def]
    settings = digest_settings(
        database,
        coordinators=[{"telegram_id": 31337, "scope": {"region": "nort"}, "schedule": "off"}],
    )
    async with Harness(settings) as h:
        await delivery.restore(h.app, datetime.now(UTC))
        assert await digests.get_coordinator(h.services.store, 31337) is None


class CrashingTelegram(FilesTelegram):
    """Telegram delivers the album, then the bot dies before reading the answer."""

    crash_on: str | None = "sendMediaGroup"

    async def do_request(self, url: str, method: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def,override]
        answer = await super().do_request(url, method, *args, **kwargs)  # type: ignore[arg-type]
        if url.endswith("/" + str(self.crash_on)):
            self.crash_on = None
            raise asyncio.CancelledError  # the process stopping mid-request, as at Ctrl-C
        return answer


async def test_an_album_cut_off_by_a_crash_is_never_sent_twice(database) -> None:  # type: ignore[no-untyped-def]
    telegram = CrashingTelegram()
    async with Harness(digest_settings(database), telegram) as h:
        for person in DATASET:
            await add_respondent(h.services.store, h.services.survey, person)
        later = datetime.now(UTC) + timedelta(days=2)
        with pytest.raises(asyncio.CancelledError):
            await delivery.restore(h.app, later)
        row = (await digests.deliveries(h.services.store, COORDINATOR))[0]
        assert await digests.part_states(h.services.store, row.id) == {
            "text": "sent",
            "album": "sending",
        }
    # The restart: the text and the album are not sent again, the workbook is, and
    # the coordinator is told the charts may be missing (once).
    async with Harness(digest_settings(database), telegram) as h:
        later = datetime.now(UTC) + timedelta(days=2)
        # The unfinished delivery resumes; the same window, found missed, is done.
        assert await delivery.restore(h.app, later) == ["sent", "already sent"]
        assert await delivery.restore(h.app, later) == ["already sent"]
        assert [sent_to(h, COORDINATOR, m) for m in
                ("sendMessage", "sendMediaGroup", "sendDocument")] == [2, 1, 1]  # fmt: skip
        note = telegram.bot_messages(COORDINATOR)[-1].text
        assert "Sending the charts of this digest was interrupted" in note and "/digest" in note
        row = (await digests.deliveries(h.services.store, COORDINATOR))[0]
        assert (row.status, row.parts) == ("sent", 2)
        assert await digests.part_states(h.services.store, row.id) == {
            "text": "sent",
            "album": "unknown",
            "workbook": "sent",
        }
