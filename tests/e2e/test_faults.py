"""Telegram misbehaving: duplicated updates, flood control (429), users who block the bot."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, Respondent, exported_ratings, live_screen, step_of


def _is_rating(step: str) -> bool:
    return step.startswith("r") and step != "rv"


async def test_an_update_delivered_twice_is_applied_once(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    person = Respondent(await control.create_user("Hoa", language_code="en"), survey)
    await person.begin()
    screen = await person.answer(until=_is_rating)
    assert screen is not None and step_of(screen) == "r0n"
    since = max(c["seq"] for c in await control.calls())

    await control.duplicate_next_update()
    screen = await person.answer_one(screen, "r0n")
    assert screen is not None and step_of(screen) == "r0f"
    # Updates from one person are handled in order: once the next tap is answered,
    # the second delivery of the first has been handled too.
    screen = await person.answer_one(screen, "r0f")
    assert step_of(screen) == "r1n"

    history = (await control.updates())["history"]
    assert len(history) > len({u["update_id"] for u in history}) - 1  # it was delivered twice
    edits = await control.calls("editMessageText", since=since)
    assert len([c for c in edits if c["ok"]]) == 2  # one new question per tap, none for the copy
    assert not await control.calls("sendMessage", since=since)
    assert list(exported_ratings(bot.export()).values()) == [person.given]
    assert "Traceback" not in bot.output()


async def test_a_429_storm_is_waited_out_without_loss_or_duplicates(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    person = Respondent(await control.create_user("Tuan", language_code="en"), survey)
    await person.begin()
    screen = await person.answer(until=_is_rating)
    assert screen is not None
    since = max(c["seq"] for c in await control.calls())

    # Flood control on edits: every tap's next question is refused twice, 1 s each time
    # (within the bot's 5 retries).
    for _ in range(3):
        await control.fail_next("editMessageText", "retry_after", count=2, retry_after=1)
        step = step_of(screen) or ""
        screen = await person.answer_one(screen, step)
        assert screen is not None and step_of(screen) != step
    # ...and on new messages: /resume sends the question anew.
    await control.fail_next("sendMessage", "retry_after", count=2, retry_after=1)
    newest = max(m.message_id for m in await person.user.chat())
    await person.user.send_command("/resume")
    resumed = await person.user.wait_for(
        lambda chat: (m := live_screen(chat)) is not None and m.message_id > newest + 1,
        timeout=15,
    )
    assert resumed

    calls = await control.calls(since=since)
    refused = [c for c in calls if c["error_code"] == 429]
    assert len(refused) == 8
    for failure in refused:  # each retry came no sooner than Telegram said
        retry = next(
            c for c in calls if c["seq"] > failure["seq"] and c["method"] == failure["method"]
        )
        assert retry["time"] - failure["time"] >= 0.95, (failure, retry)
    sent = [c for c in calls if c["method"] == "sendMessage" and c["ok"]]
    assert len(sent) == 1  # the question /resume asked for, once, after two refusals
    edits = Counter(c["params"]["message_id"] for c in calls if c["method"] == "editMessageText")
    assert list(edits.values()) == [3 * 3]  # each tap: two refusals and one edit, same message
    # The old question loses its buttons right after the new one is sent: wait for it.
    assert await person.user.wait_for(
        lambda chat: sum(bool(m.buttons) for m in chat) == 1, timeout=10
    )
    assert list(exported_ratings(bot.export()).values()) == [person.given]
    assert "Traceback" not in bot.output()


async def test_a_user_who_blocked_the_bot_is_recorded_and_others_are_served(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    blocker = Respondent(await control.create_user("An", language_code="en"), survey)
    other = Respondent(await control.create_user("Binh", language_code="vi"), survey, "vi")
    await blocker.begin()
    await other.begin()

    # Telegram tells the bot (my_chat_member: kicked)...
    await blocker.user.block()
    assert await _blocked_at(bot, blocker.user.id)
    await blocker.user.unblock()
    assert not await _blocked_at(bot, blocker.user.id, expect=False)
    # ...or the bot finds out when a message to them is refused with 403.
    await control.fail_next("sendMessage", "forbidden")
    await blocker.user.send_command("/resume")
    assert await _blocked_at(bot, blocker.user.id)

    screen = await other.answer(until=lambda step: step == "r5n")
    assert screen is not None and step_of(screen) == "r5n"
    assert bot.process is not None and bot.process.poll() is None
    assert len(exported_ratings(bot.export()).popitem()[1]) == 10
    assert "Traceback" not in bot.output()


async def _blocked_at(bot: BotProcess, telegram_id: int, expect: bool = True) -> str | None:
    """users.blocked_at once it is set (or cleared, with ``expect=False``), within 10 s."""
    value = None
    for _ in range(200):
        with sqlite3.connect(f"file:{bot.database}?mode=ro", uri=True) as db:
            row = db.execute(
                "SELECT blocked_at FROM users WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()
        value = row[0] if row else None
        if (value is not None) == expect:
            return value
        await asyncio.sleep(0.05)
    return value
