"""kill -9 mid-survey, start again: the respondent continues at the right item, nothing lost."""

from __future__ import annotations

import asyncio
import os
import random

from localbotapi import ChatMessage, ControlClient
from survey.model import Survey
from tests.e2e.driver import (
    BotProcess,
    Respondent,
    exported_ratings,
    live_screen,
    rating_data,
    step_of,
    walk,
)


async def test_kill_9_mid_survey_loses_no_answer(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    seed = int(os.environ.get("E2E_SEED") or random.randrange(1_000_000))
    rng = random.Random(seed)
    keys = walk(survey)
    person = Respondent(await control.create_user("Minh", language_code="en"), survey)
    await person.begin()

    for _ in range(2):
        for _ in range(rng.randint(3, 40)):
            screen = await person.screen()
            assert screen is not None
            await person.answer_one(screen, step_of(screen) or "")
        screen = await person.answer(until=lambda step: step.startswith("r") and step != "rv")
        assert screen is not None
        step = step_of(screen) or ""
        # A tap, then kill -9 at a random moment: before, during or after it is handled.
        await person.user.press(rating_data(screen, step, person.choose(step)))
        await asyncio.sleep(rng.uniform(0, 0.08))
        bot.kill()
        newest = max(m.message_id for m in await person.user.chat())

        await bot.start_ready(control)
        await person.user.send_command("/resume")

        def fresh_question(chat: list[ChatMessage], after: int = newest + 1) -> ChatMessage | None:
            screen = live_screen(chat)  # after the /resume message, newest + 1
            return screen if screen is not None and screen.message_id > after else None

        resumed = await person.user.wait_for(fresh_question, person.timeout)
        exported = exported_ratings(bot.export())
        stored = exported.popitem()[1] if exported else {}
        item = survey.items[int(step[1:-1])][1]
        tapped = (item.code, "now" if step.endswith("n") else "forecast")
        kept = tapped in stored
        if kept:
            person.given[tapped] = person.choose(step)
        assert stored == person.given, f"seed {seed}"
        expected = keys[keys.index(step) + 1] if kept else step
        assert step_of(resumed) == expected, f"seed {seed}: kept={kept}"

    assert await person.answer() is None
    rows = bot.export()
    assert list(exported_ratings(rows).values()) == [person.given], f"seed {seed}"
    assert len(rows) == 2 * len(survey.items)
    assert "Traceback" not in bot.output()
