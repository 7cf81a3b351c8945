"""A respondent completes the whole survey over HTTP, in each language."""

from __future__ import annotations

import sqlite3

import pytest

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, Respondent, exported_ratings


@pytest.mark.parametrize(
    ("language", "thanks"),
    [("en", "Thank you! Your scorecard has been submitted."), ("vi", "Cảm ơn")],
)
async def test_a_respondent_completes_the_survey(
    bot: BotProcess, control: ControlClient, survey: Survey, language: str, thanks: str
) -> None:
    person = Respondent(await control.create_user("Lan", language_code=language), survey, language)
    await person.begin()
    assert await person.answer(comment="Trường học còn xa" if language == "vi" else None) is None

    last = (await person.user.bot_messages())[-1]
    assert thanks in (last.text or "")
    assert len(person.given) == 2 * len(survey.items)
    rows = bot.export()
    assert {row["submitted"] for row in rows} == {"yes"}
    assert list(exported_ratings(rows).values()) == [person.given]
    with sqlite3.connect(bot.database) as db:
        assert db.execute("SELECT language FROM users").fetchall() == [(language,)]
        comments = db.execute("SELECT text FROM texts WHERE question_id LIKE 'section:%'")
        typed = ["Trường học còn xa"] * len(survey.sections) if language == "vi" else []
        assert [row[0] for row in comments] == typed  # one per goal, typed on its screens
    assert "Traceback" not in bot.output()
