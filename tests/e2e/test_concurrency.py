"""Fifty respondents at once: all finish, every answer stored, no "database is locked"."""

from __future__ import annotations

import asyncio

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, ChatWatcher, Respondent, exported_ratings

PEOPLE = 50
RATINGS = 20  # a shortened path keeps the test fast; benchmarks/load_http.py runs more


async def test_fifty_respondents_at_once(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    async with ChatWatcher(control) as watcher:
        people = [
            Respondent(
                await control.create_user(f"Person {n}", language_code="vi" if n % 2 else "en"),
                survey,
                "vi" if n % 2 else "en",
                timeout=30,
                watcher=watcher,
            )
            for n in range(PEOPLE)
        ]

        async def take_part(person: Respondent) -> None:
            await person.begin()
            await person.answer(until=lambda step: len(person.given) == RATINGS)

        await asyncio.gather(*(take_part(person) for person in people))

    exported = exported_ratings(bot.export())
    assert len(exported) == PEOPLE
    assert sorted(map(len, exported.values())) == [RATINGS] * PEOPLE
    assert sorted(exported.values(), key=str) == sorted((p.given for p in people), key=str)
    output = bot.output()
    assert "database is locked" not in output
    assert "Traceback" not in output
