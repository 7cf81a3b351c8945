"""Voice comments offline: kept on disk and in the database, listed, limited, deleted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_profile, statement


def voice_rows(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT question_id, file_id, path, duration FROM voice_comments"
        ).fetchall()


def pseudonym(database: Path, person: Person) -> str:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT pseudonym FROM users WHERE telegram_id = ?", (person.id,)
        ).fetchone()[0]


async def test_a_voice_note_on_a_rating_screen_is_kept_listed_and_deleted(
    harness: Harness, database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = Person(5101, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.send_voice(person, "v1", duration=42)
    messages = harness.telegram.bot_messages(person.id)
    assert "Saved your voice comment" in messages[-2].text
    assert statement(harness, "1.1.1") in messages[-1].text and messages[-1].buttons()
    folder = database.parent / "voice" / pseudonym(database, person)
    assert voice_rows(database) == [("section:sdg1", "v1", f"voice/{folder.name}/v1u.ogg", 42)]
    assert (folder / "v1u.ogg").read_bytes().startswith(b"OggS")

    # Coordinators find it in the digest workbook's Comments sheet (once the
    # scope has enough people for a digest to show comments at all).
    for other in range(4):
        await agree(harness, Person(5200 + other, "en"))
        await answer_profile(harness, Person(5200 + other, "en"))
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    monkeypatch.chdir(tmp_path)
    assert main(["digest", "--language", "en", "--out", str(tmp_path / "digest")]) == 0
    digest = (tmp_path / "digest" / "digest.html").read_text("utf-8")
    # One new comment is too few to count in the digest (1 to k−1 reads "<k").
    assert "New comments: &lt;5" in digest
    sheet = openpyxl.load_workbook(tmp_path / "digest" / "digest.xlsx")["Comments"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:3] for row in rows] == [
        [
            folder.name,
            "section:sdg1",
            f"voice: voice/{folder.name}/v1u.ogg (42 s, file_id v1)",
        ]
    ]

    await harness.text(person, "/mydata")
    listed = harness.telegram.last_bot_message(person.id).text
    assert "Your voice comments" in listed and "a voice note of 42 seconds" in listed

    await harness.text(person, "/delete")
    await harness.press(person, "Yes, delete everything")
    assert voice_rows(database) == []
    assert not folder.exists()


async def test_a_long_voice_note_is_refused_and_nothing_is_downloaded(
    harness: Harness, database: Path
) -> None:
    person = Person(5102, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await harness.send_voice(person, "v2", duration=301)
    messages = harness.telegram.bot_messages(person.id)
    assert "too long" in messages[-2].text and "5 minutes" in messages[-2].text
    assert statement(harness, "1.1.1") in messages[-1].text
    await harness.send_voice(person, "v3", duration=10, file_size=6 * 1024 * 1024)
    assert "too long" in harness.telegram.bot_messages(person.id)[-2].text
    assert harness.telegram.count("getFile") == 0
    assert voice_rows(database) == []
    assert not (database.parent / "voice").exists()


async def test_a_voice_note_where_buttons_are_expected_gets_a_hint(
    harness: Harness, database: Path
) -> None:
    person = Person(5103, "en")
    await agree(harness, person)  # the group question: buttons only
    await harness.send_voice(person)
    messages = harness.telegram.bot_messages(person.id)
    assert "this question takes the buttons below" in messages[-2].text
    assert "Which of these groups" in messages[-1].text
    assert voice_rows(database) == []


async def test_a_voice_note_answers_the_recommendations_question(
    harness: Harness, database: Path
) -> None:
    person = Person(5104, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    for _ in harness.services.survey.items:
        await harness.text(person, "3 4")  # both ratings typed, as a screen reader user may
    goals = [b["callback_data"] for b in harness.screen(person).buttons()]
    await harness.press_data(person, next(d for d in goals if d.endswith("|k")))
    assert "You can also send a voice note" in harness.screen(person).text
    await harness.send_voice(person, "v4", duration=30)
    messages = harness.telegram.bot_messages(person.id)
    assert "Saved your voice comment" in messages[-2].text
    assert "What would you recommend" in messages[-1].text  # the question again
    assert [row[:2] for row in voice_rows(database)] == [("recommendations", "v4")]


async def test_in_an_interview_a_voice_note_is_the_interviewed_persons(database: Path) -> None:
    from tests.test_facilitation import make_facilitator, settings, start_interview

    async with Harness(settings(database)) as running:
        facilitator = await make_facilitator(running)
        pseudonym = await start_interview(running, facilitator)
        await answer_profile(running, facilitator)
        await running.send_voice(facilitator, "v5", duration=12)
        messages = running.telegram.bot_messages(facilitator.id)
        assert "Saved your voice comment" in messages[-2].text
        assert pseudonym in messages[-1].text  # still the interview's screen
        assert voice_rows(database) == [("section:sdg1", "v5", f"voice/{pseudonym}/v5u.ogg", 12)]
        with sqlite3.connect(database) as db:
            owner = db.execute(
                "SELECT u.pseudonym, r.mode FROM voice_comments v JOIN responses r"
                " ON r.id = v.response_id JOIN users u ON u.id = r.user_id"
            ).fetchall()
        assert owner == [(pseudonym, "interview")]
        assert (database.parent / "voice" / pseudonym / "v5u.ogg").exists()


async def test_in_a_group_session_a_voice_note_is_not_kept(database: Path) -> None:
    from tests.test_facilitation import make_facilitator, settings

    async with Harness(settings(database)) as running:
        facilitator = await make_facilitator(running)
        await answer_profile(running, facilitator)  # their own survey, begun
        await running.text(facilitator, "/session")
        await running.send_voice(facilitator, "v6")
        said = running.telegram.bot_messages(facilitator.id)[-1].text
        assert "A group session keeps typed notes only" in said
        assert voice_rows(database) == []
