"""Configuration and the command line: clear one-line errors, exit code 2."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, rate

TOKEN = "123456789:AAHexampleexampleexampleexample000"


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
    )


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "telegram.token" in result.stderr and "TELEGRAM_BOT_TOKEN" in result.stderr


def test_check_config_needs_no_token_and_warns_of_its_absence(tmp_path: Path) -> None:
    result = run_cli("check-config", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("configuration OK: survey sdg-scorecard-vn")
    assert result.stderr.strip() == (
        "warning: telegram.token is not set (set TELEGRAM_BOT_TOKEN): needed to run the bot"
    )
    assert not (tmp_path / "data").exists()


def test_a_duplicate_indicator_code_names_file_section_and_code(tmp_path: Path) -> None:
    shipped = Path(__file__).parent.parent / "survey/files/sdg_scorecard.toml"
    survey = tmp_path / "my-survey.toml"
    survey.write_bytes(shipped.read_bytes().replace(b'code = "4.1.1"', b'code = "1.1.1"', 1))
    result = run_cli("check-config", cwd=tmp_path, env={"SCORECARD_SURVEY__FILE": str(survey)})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"scorecard-bot: configuration error: {survey}: invalid survey file:"
        " sections[sdg4].items[1.1.1]: duplicate indicator code 1.1.1 (already in sections[sdg1])"
    )


@pytest.mark.parametrize(
    "args",
    [[], ["nope"], ["export", "--format", "csv"], ["export", "--out", "x", "--format", "pdf"]],
)
def test_usage_errors_are_one_line_and_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "usage" not in err


def test_a_second_bot_on_one_database_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.lock import acquire

    database = tmp_path / "db.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    monkeypatch.setattr("cli.run.check_bot_api", _token_accepted)
    held = acquire(database)  # as a running bot holds it
    try:
        assert main(["run"]) == 2
        for command in (["run"], ["playground", "--no-browser", "--database", str(database)]):
            assert main(command) == 2
    finally:
        held.close()
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert all(
        line.startswith("scorecard-bot: configuration error: storage.database:")
        and "in use by another running bot" in line
        for line in lines
    )
    assert not database.exists()  # refused before the database is touched


async def _token_accepted(settings: object) -> None:
    return None


def test_bad_settings_name_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_TIMEZONE", "Asia/Atlantis")
    assert main(["check-config"]) == 2
    assert "timezone: unknown time zone 'Asia/Atlantis'" in capsys.readouterr().err
    monkeypatch.delenv("SCORECARD_TIMEZONE")
    config = tmp_path / "config.toml"
    config.write_text('[access]\nadmins = ["bob"]\n')
    assert main(["check-config"]) == 2
    assert "access.admins.0" in capsys.readouterr().err
    config.write_text('[storage]\ndatabse = "x.db"\n')
    assert main(["--config", str(config), "check-config"]) == 2
    assert "storage.databse: unknown setting" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "nope.toml"), "check-config"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_token_is_never_echoed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "secret-but-malformed-token")
    assert main(["check-config"]) == 2
    captured = capsys.readouterr()
    assert "secret-but-malformed-token" not in captured.err + captured.out
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert "configuration OK" in captured.out and TOKEN not in captured.out + captured.err


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text(
        '[storage]\ndatabase = "from-file.db"\n[telegram]\ntoken = "1:fromfileAAAAAAAAAAAAAAAAAAAA"\n'
    )
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", "from-env.db")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings(config)
    assert str(settings.storage.database) == "from-env.db"
    assert settings.require_token() == TOKEN


def test_bad_survey_file_names_file_item_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from importlib import resources

    shipped = resources.files("survey.files").joinpath("sdg_scorecard.toml").read_text("utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        shipped.replace('code = "4.1.2"\nlabel = { vi', 'code = "4.1.2"\nlabel = { xx')
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_SURVEY__FILE", str(broken))
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "sections[sdg4].items[4.1.2].label" in err


async def test_export_writes_the_documented_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "db.sqlite3"
    async with Harness(make_settings(database)) as harness:
        person = Person(3001, "en")
        await agree(harness, person)
        await answer_profile(harness, person, [6, 2, 0, 2, 1])
        await rate(harness, person, "n", "d")
        await rate(harness, person, "f", "5")
        await harness.press(person, "Skip")
    out = tmp_path / "out" / "ratings.csv"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == [
        "respondent_id",
        "survey_id",
        "survey_version",
        "survey_hash",
        "partner",
        "group",
        "region",
        "area",
        "age_band",
        "gender",
        "sdg",
        "indicator_code",
        "kind",
        "value",
        "answered_at",
        "submitted",
        "mode",
        "round",
    ]
    assert [(r["indicator_code"], r["kind"], r["value"]) for r in rows] == [
        ("1.1.1", "now", ""),
        ("1.1.1", "forecast", "5"),  # the skip is not a rating
    ]
    assert (
        rows[0]["group"] == "cso" and rows[0]["gender"] == "male" and rows[0]["submitted"] == "no"
    )
    assert rows[0]["answered_at"].endswith("Z") and rows[0]["survey_version"] == "2026.2"
    # Pseudonymous: the random id, never the Telegram id, anywhere in the file.
    assert all(re.fullmatch(r"R[0-9A-F]{12}", row["respondent_id"]) for row in rows)
    assert all(str(person.id) not in row.values() for row in rows)


def test_unreachable_bot_api_ends_with_one_clear_line(tmp_path: Path) -> None:
    result = run_cli(
        "run",
        cwd=tmp_path,
        env={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SCORECARD_TELEGRAM__BASE_URL": "http://127.0.0.1:9/bot",
            "SCORECARD_STORAGE__DATABASE": str(tmp_path / "db.sqlite3"),
        },
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no traceback before it
    assert lines[0].startswith("scorecard-bot: cannot reach the Bot API at http://127.0.0.1:9/bot")
    assert TOKEN not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_rejected_token_names_the_setting(tmp_path: Path) -> None:
    from localbotapi import LocalBotApiServer

    server = LocalBotApiServer(token="111111:AAHtheRightTokenAAAAAAAAAAAAAAAA").run_in_thread()
    try:
        result = run_cli(
            "run",
            cwd=tmp_path,
            env={
                "TELEGRAM_BOT_TOKEN": TOKEN,  # not the server's token
                "SCORECARD_TELEGRAM__BASE_URL": server.base_url,
                "SCORECARD_TELEGRAM__BASE_FILE_URL": server.base_file_url,
                "SCORECARD_STORAGE__DATABASE": str(tmp_path / "db.sqlite3"),
            },
        )
    finally:
        server.stop_thread()
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "scorecard-bot: configuration error: telegram.token: rejected by the Bot API server"
        " (check the token)"
    )
    assert TOKEN not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no database (nor its folder) left behind
