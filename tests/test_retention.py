"""Retention: after [privacy] retention_days, nothing ties answers to a Telegram account."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cli.main import main
from storage import users
from storage.export import write_ratings_csv
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, labels, rate
from tests.auxil.offline import TOKEN

LONG_AGO = "2024-01-01T00:00:00.000000Z"


async def answered(harness: Harness, person: Person, code: str | None = None) -> None:
    if code is not None:
        await harness.text(person, f"/start {code}")
        await harness.press(person, "English")
        await harness.press(person, "I agree")
    else:
        await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "4")
    await rate(harness, person, "f", "5")


async def backdate(harness: Harness, telegram_id: int) -> None:
    """As if this person's last activity was long ago."""
    store = harness.services.store
    user = await users.get_user(store, telegram_id)
    assert user is not None
    for sql in (
        "UPDATE users SET created_at = ? WHERE id = ?",
        "UPDATE consents SET decided_at = ? WHERE user_id = ?",
        "UPDATE responses SET updated_at = ?, started_at = ? WHERE user_id = ?",
    ):
        params = (LONG_AGO, LONG_AGO, user.id) if sql.count("?") == 3 else (LONG_AGO, user.id)
        await store.execute(sql, params)


def exported(harness: Harness) -> list[dict[str, str]]:
    out = io.StringIO()
    survey = harness.services.survey
    write_ratings_csv(
        harness.settings.storage.database, out, survey.id, [q.id for q in survey.profile]
    )
    return list(csv.DictReader(io.StringIO(out.getvalue())))


async def test_the_daily_job_unlinks_old_respondents_and_keeps_their_answers(
    harness: Harness,
) -> None:
    store = harness.services.store
    await users.add_invitation(store, "family-Nguyen-code", label="Nguyen family", max_uses=1)
    old, recent = Person(5001, "en"), Person(5002, "en")
    await answered(harness, old, "family-Nguyen-code")
    await answered(harness, recent)
    pseudonym = (await users.get_user(store, old.id)).pseudonym  # type: ignore[union-attr]
    before = exported(harness)
    assert {row["partner"] for row in before if row["respondent_id"] == pseudonym} == {
        "Nguyen family"
    }
    await backdate(harness, old.id)

    jobs = harness.app.job_queue.get_jobs_by_name("privacy-purge")  # type: ignore[union-attr]
    assert len(jobs) == 1 and jobs[0].trigger.interval.total_seconds() == 24 * 3600
    await jobs[0].run(harness.app)

    # The old respondent: no Telegram id, no chat, no invitation; pseudonym and answers kept.
    assert await users.get_user(store, old.id) is None
    row = await store.fetchone("SELECT * FROM users WHERE pseudonym = ?", (pseudonym,))
    assert row is not None and row["telegram_id"] < 0 and row["chat_id"] == 0
    assert row["invitation_code"] is None
    assert (
        await store.fetchall(
            "SELECT 1 FROM responses WHERE invitation_code IS NOT NULL AND user_id = ?",
            (row["id"],),
        )
        == []
    )
    after = exported(harness)
    assert [(r["respondent_id"], r["indicator_code"], r["kind"], r["value"]) for r in after] == [
        (r["respondent_id"], r["indicator_code"], r["kind"], r["value"]) for r in before
    ]
    assert {r["partner"] for r in after if r["respondent_id"] == pseudonym} == {""}
    # The recent respondent is untouched.
    assert await users.get_user(store, recent.id) is not None

    # Coming back, the old respondent is a new person; their old answers stay unlinked.
    await harness.text(old, "/start")
    assert labels(harness, old) == ["Tiếng Việt", "English"]
    await harness.press(old, "English")
    again = await users.get_user(store, old.id)
    assert again is not None and again.pseudonym != pseudonym
    # /delete works as before, for them and for the recent respondent.
    for person in (old, recent):
        await harness.text(person, "/delete")
        await harness.press(person, "Yes, delete everything")
        assert await users.get_user(store, person.id) is None
    assert {r["respondent_id"] for r in exported(harness)} == {pseudonym}


def test_purge_command_counts_and_dry_run_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    database = tmp_path / "data" / "scorecard.sqlite3"

    async def prepare() -> None:
        async with Harness(make_settings(database)) as harness:
            await answered(harness, Person(5101, "en"))
            await answered(harness, Person(5102, "en"))
            await backdate(harness, 5101)

    asyncio.run(prepare())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would remove the Telegram and chat ids of 1 people" in out and "dry run" in out
    assert "5101" not in out
    import sqlite3

    def ids() -> list[int]:
        with sqlite3.connect(database) as db:
            return sorted(row[0] for row in db.execute("SELECT telegram_id FROM users"))

    assert ids() == [5101, 5102]
    assert main(["purge"]) == 0
    assert "removed the Telegram and chat ids of 1 people" in capsys.readouterr().out
    assert ids() == [-1, 5102]
    assert main(["purge"]) == 0  # nothing left to do
    assert "of 0 people" in capsys.readouterr().out
    monkeypatch.setenv("SCORECARD_PRIVACY__RETENTION_DAYS", "0")
    assert main(["purge"]) == 2
    assert "privacy.retention_days: must be at least 1" in capsys.readouterr().err
