"""The daily backup: scheduled by the bot at the configured local time, keeps N copies."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import CallbackContext

from bot.admin.backups import CATCH_UP_NAME, JOB_NAME
from cli.main import main
from storage.backup import check, daily_backup
from storage.schema import MIGRATIONS
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, rate


async def test_the_daily_job_copies_the_answers_and_keeps_the_newest_copies(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    settings = make_settings(
        tmp_path / "data" / "scorecard.sqlite3",
        backup={"folder": str(folder), "keep": 3, "time": "02:30"},
        timezone="Asia/Ho_Chi_Minh",
    )
    async with Harness(settings) as harness:
        person = Person(7001, "en")
        await agree(harness, person)
        await answer_profile(harness, person)
        await rate(harness, person, "n", "4")
        (job,) = harness.app.job_queue.get_jobs_by_name(JOB_NAME)
        fields = {field.name: str(field) for field in job.trigger.fields}  # a daily cron trigger
        assert (fields["hour"], fields["minute"]) == ("2", "30")
        assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"
        # Older copies already in the folder, and a file of the admin's own.
        folder.mkdir()
        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # the bot's "today"
        for days in range(1, 6):
            daily_backup(settings.storage.database, folder, 10, today - timedelta(days))
        (folder / "notes.txt").write_text("mine")
        await job.callback(CallbackContext.from_job(job, harness.app))
    names = sorted(path.name for path in folder.iterdir())
    # The newest three daily copies, today's included, and the admin's own file untouched.
    assert names == [
        "notes.txt",
        *(f"scorecard-{(today - timedelta(days)).isoformat()}.sqlite3" for days in (2, 1, 0)),
    ]
    assert check(folder / names[-1]).ratings == 1  # today's copy holds the answer


def test_keep_n_keeps_exactly_the_newest_n(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    connection = sqlite3.connect(database)
    for version in sorted(MIGRATIONS):
        for statement in MIGRATIONS[version]:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {max(MIGRATIONS)}")
    connection.commit()
    connection.close()
    folder = tmp_path / "copies"
    start = date(2026, 12, 1)
    for day in range(6):
        _copy, removed = daily_backup(database, folder, 2, start + timedelta(day))
        assert len(removed) == (1 if day >= 2 else 0)
    assert sorted(p.name for p in folder.iterdir()) == [
        "scorecard-2026-12-05.sqlite3",
        "scorecard-2026-12-06.sqlite3",
    ]


async def test_no_backup_job_unless_a_folder_is_set(harness: Harness) -> None:
    assert harness.app.job_queue.get_jobs_by_name(JOB_NAME) == ()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("KEEP", "0", "backup.keep: must be 1 or more"),
        ("TIME", "3am", "backup.time: must look like 03:00"),
    ],
)
def test_bad_backup_settings_name_the_setting(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(f"SCORECARD_BACKUP__{setting}", value)
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_backup_of_a_missing_database_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["backup", "--out", str(tmp_path / "copy.sqlite3")]) == 2
    assert "storage.database: no database at" in capsys.readouterr().err
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_a_bot_started_after_the_backup_time_makes_the_missed_copy_once(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    settings = make_settings(
        tmp_path / "data" / "scorecard.sqlite3", backup={"folder": str(folder), "time": "00:00"}
    )
    async with Harness(settings) as harness:
        (job,) = harness.app.job_queue.get_jobs_by_name(CATCH_UP_NAME)
        await job.callback(CallbackContext.from_job(job, harness.app))
        (copy,) = folder.iterdir()
        today = datetime.now(ZoneInfo(settings.timezone)).date()
        assert copy.name == f"scorecard-{today.isoformat()}.sqlite3"
        # Only its owner can read it: it holds Telegram ids and answers.
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        made = copy.stat().st_mtime_ns
        await job.callback(CallbackContext.from_job(job, harness.app))  # a second start
        assert [p.stat().st_mtime_ns for p in folder.iterdir()] == [made]
