"""Issue 12, versions and rounds: a response finishes on the survey version it
began on; new people get the new one; digests say which versions they combine;
a person takes part once per round, and again when a new round opens."""

from __future__ import annotations

import asyncio
import csv
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from cli.main import main
from reporting.digest.analysis import analyse
from reporting.digest.opensdg import write_opensdg
from reporting.digest.reference import ReferencePoint
from reporting.digest.text import render_text
from storage import rounds
from survey.model import load_survey, survey_source
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, rate

OLD_121 = "Almost every family here has left poverty behind and earns enough to live on."
NEW_121 = "CHANGED: hardly any household here is below the poverty line."


def write_versions(folder: Path) -> tuple[Path, str]:
    """The shipped scorecard as a file, and the text of its next version:
    2026.4 rewords 1.2.1 and drops 1.2.2."""
    text = survey_source().decode("utf-8")
    path = folder / "survey.toml"
    path.write_text(text, encoding="utf-8")
    start = text.index('[[sections.items]]\ncode = "1.2.2"')
    end = text.index("[[sections.items]]", start + 1)
    changed = (text[:start] + text[end:]).replace('version = "2026.3"', 'version = "2026.4"', 1)
    assert OLD_121 in changed
    return path, changed.replace(OLD_121, NEW_121, 1)


def settings_for(database: Path, survey: Path) -> Settings:
    return make_settings(database, survey={"file": str(survey)})


async def test_a_response_finishes_on_its_version_and_new_people_get_the_new_one(
    database: Path, tmp_path: Path
) -> None:
    path, next_version = write_versions(tmp_path)
    early, late = Person(8101, "en"), Person(8102, "en")
    async with Harness(settings_for(database, path)) as harness:
        first_hash = harness.services.survey.content_hash
        await agree(harness, early)
        await answer_profile(harness, early)
        await rate(harness, early, "n", "3")
        await rate(harness, early, "f", "4")
        assert OLD_121 in harness.screen(early).text
    path.write_text(next_version, encoding="utf-8")
    async with Harness(settings_for(database, path)) as harness:
        store = harness.services.store
        assert harness.services.survey.version == "2026.4"
        kept = await store.fetchall("SELECT version FROM survey_versions ORDER BY first_seen")
        assert [row[0] for row in kept] == ["2026.3", "2026.4"]
        # The early person continues on 2026.3: its wording, its buttons.
        await harness.text(early, "/resume")
        assert OLD_121 in harness.screen(early).text
        await rate(harness, early, "n", "2")
        await rate(harness, early, "f", "2")
        assert "1.2.2" in harness.screen(early).text or "solid homes" in harness.screen(early).text
        await answer_all(harness, early)
        await harness.press(early, "Submit")
        # A new person gets 2026.4.
        await agree(harness, late)
        await answer_profile(harness, late)
        await rate(harness, late, "n", "5")
        await rate(harness, late, "f", "5")
        assert NEW_121 in harness.screen(late).text
        await answer_all(harness, late)
        await harness.press(late, "Submit")
        rows = await store.fetchall(
            "SELECT survey_version, survey_hash, submitted_at IS NOT NULL FROM responses"
            " ORDER BY id"
        )
        assert [tuple(r)[::2] for r in rows] == [("2026.3", 1), ("2026.4", 1)]
        assert rows[0][1] == first_hash
        survey = harness.services.survey
    end = datetime.now(UTC) + timedelta(minutes=1)
    analysis = analyse(database, survey, {}, end - timedelta(days=7), end, k=1)
    assert analysis.versions == ["2026.3", "2026.4"]
    assert analysis.partial_items == ["1.2.2"]
    text = render_text(analysis, "en", UTC)
    assert "Survey versions combined: 2026.3, 2026.4" in text
    assert "Indicators in only some versions: 1.2.2" in text


def run_round(database: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    return main(["round", *argv])


def test_round_commands_and_one_response_per_round(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    person = Person(8201, "en")

    async def take_part() -> None:
        async with Harness(make_settings(database)) as harness:
            await agree(harness, person)
            await answer_profile(harness, person)
            await answer_all(harness, person)
            await harness.press(person, "Submit")

    async def come_back() -> list[tuple[object, ...]]:
        async with Harness(make_settings(database)) as harness:
            await harness.text(person, "/start")
            screen = harness.screen(person).text
            if "Thank" not in screen:
                await answer_profile(harness, person)
                await rate(harness, person, "n", "4")
            rows = await harness.services.store.fetchall(
                "SELECT round_id, submitted_at IS NOT NULL FROM responses ORDER BY id"
            )
            return [("Thank" in screen,)] + [tuple(r) for r in rows]

    asyncio.run(take_part())
    assert run_round(database, monkeypatch, "list") == 0
    assert "no rounds yet" in capsys.readouterr().out
    assert run_round(database, monkeypatch, "open", "2026", "--title", "First round") == 0
    assert run_round(database, monkeypatch, "open", "2027", "--title", "Next") == 1
    assert "round 2026 is open: close it first" in capsys.readouterr().err
    assert run_round(database, monkeypatch, "open", "x", "--title", "t", "--closes", "soon") == 2
    # Once per round: the submitted person, now in round 2026, is thanked.
    assert asyncio.run(come_back()) == [(True,), ("2026", 1)]
    assert run_round(database, monkeypatch, "close", "2026") == 0
    assert run_round(database, monkeypatch, "close", "2026") == 1
    # The second round's survey has moved its years on a year.
    later = tmp_path / "later.toml"
    later.write_text(
        survey_source()
        .decode("utf-8")
        .replace("year = 2026", "year = 2027", 1)
        .replace("year = 2030", "year = 2031", 1),
        encoding="utf-8",
    )
    monkeypatch.setenv("SCORECARD_SURVEY__FILE", str(later))
    assert run_round(database, monkeypatch, "open", "2027", "--title", "Second round",
                     "--closes", "2027-12-31") == 0  # fmt: skip
    monkeypatch.delenv("SCORECARD_SURVEY__FILE")
    capsys.readouterr()
    assert run_round(database, monkeypatch, "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("2026\tFirst round\t2026/2030\tclosed ")
    assert listed[0].endswith("1 submitted")
    assert listed[1].startswith("2027\tSecond round\t2027/2031\topen, closes 2027-12-31")
    # A new round: /start begins a new response, in round 2027.
    assert asyncio.run(come_back()) == [(False,), ("2026", 1), ("2027", 0)]
    # The digest: this round's means, and the previous round per goal beside them,
    # suppressed below k like every mean.
    survey = load_survey()
    end = datetime.now(UTC) + timedelta(minutes=1)
    analysis = analyse(database, survey, {}, end - timedelta(days=7), end, k=1)
    goal_1 = next(row for row in analysis.goals if row.sdg == 1)
    assert goal_1.now.mean == 4.0  # round 2027's one rating, not pooled with 2026
    previous = analysis.previous_round
    assert previous is not None and previous.label == "First round"
    assert (previous.now_year, previous.forecast_year) == (2026, 2030)
    assert previous.get(1) == ReferencePoint(3.0, 3.0)
    assert "Earlier round, First round: mean rating 2026 → 2030" in render_text(
        analysis, "en", UTC, previous
    )
    hidden = analyse(database, survey, {}, end - timedelta(days=7), end, k=2).previous_round
    # k = 2: the first round's one person is too few, so its publication refuses the
    # view and gives no earlier mean at all.
    assert hidden is not None and hidden.get(1) in (None, ReferencePoint(None, None))
    assert not any(point.now or point.forecast for point in hidden.goals.values())
    # Open SDG: each round's rows carry that round's years.
    write_opensdg(database, survey, {}, 1, tmp_path / "opensdg")
    with (tmp_path / "opensdg" / "indicator_1-1-1.csv").open(encoding="utf-8") as handle:
        headline = [
            (row["Year"], row["Series"].split()[2], row["Value"])
            for row in csv.DictReader(handle)
            if not (row["Group"] or row["Region"] or row["Area"])
        ]
    assert headline == [
        ("2026", "rating", "3.0"),
        ("2030", "forecast", "3.0"),
        ("2027", "rating", "4.0"),
    ]


async def test_the_migration_puts_existing_responses_in_a_default_round(database: Path) -> None:
    from tests.test_previous_version import database_at_version_7

    person = Person(8301, "en")
    database.parent.mkdir(parents=True, exist_ok=True)
    database_at_version_7(database, person.id)
    async with Harness(make_settings(database)) as harness:
        listed = await rounds.list_rounds(harness.services.store)
        assert [(r.id, r.now_year, r.forecast_year, r.is_open) for r in listed] == [
            ("2026", 2026, 2030, True)
        ]
        rows = await harness.services.store.fetchall(
            "SELECT round_id, survey_version FROM responses"
        )
        assert [tuple(r) for r in rows] == [("2026", "2026.1")]
        # Its answers survived the rebuild of responses.
        ratings = await harness.services.store.fetchone("SELECT COUNT(*) FROM ratings")
        assert ratings is not None and ratings[0] == 2
    check = sqlite3.connect(database)
    assert check.execute("PRAGMA foreign_key_check").fetchall() == []
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


def test_the_shipped_survey_loads_from_its_source() -> None:
    assert load_survey().content_hash


async def test_a_closed_rounds_unfinished_responses_get_no_reminder(database: Path) -> None:
    """Answers left unfinished when a round closes stay, but nobody is pressed to go on."""
    from storage import broadcasts, outreach

    async with Harness(make_settings(database)) as harness:
        person = Person(8301, "en")
        await agree(harness, person)
        await answer_profile(harness, person)
        store, survey = harness.services.store, harness.services.survey
        round_id = "2026"
        await store.execute(
            "INSERT INTO rounds (id, title, now_year, forecast_year, survey_hash, opens_at)"
            " VALUES (?, 'First round', 2026, 2030, ?, '2026-11-01T00:00:00Z')",
            (round_id, survey.content_hash),
        )
        await store.execute("UPDATE responses SET round_id = ?", (round_id,))
        paused = await outreach.due_reminders(store, survey.id, "9999", 5)
        audience = await broadcasts.audience_users(store, "paused", survey.id)
        assert len(paused) == 1 and len(audience) == 1  # an open round: reminded
        await store.execute(
            "UPDATE rounds SET closed_at = '2026-12-01T00:00:00Z' WHERE id = ?", (round_id,)
        )
        assert await outreach.due_reminders(store, survey.id, "9999", 5) == []
        assert await broadcasts.audience_users(store, "paused", survey.id) == []
