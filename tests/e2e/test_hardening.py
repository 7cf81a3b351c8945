"""The process under stress: an update the library cannot parse, SIGTERM, a second
process on the same database, a database that cannot be written."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from localbotapi import ControlClient, LocalBotApiServer
from storage.database import open_database
from tests.e2e.driver import BotProcess, bot_environment


def _run_once(
    server: LocalBotApiServer, database: Path, cwd: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=cwd,
        env=bot_environment(server, database),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def test_an_unparseable_update_is_skipped_once_and_others_are_served(
    bot: BotProcess, control: ControlClient
) -> None:
    lan = await control.create_user("Nguyen Thi Lan", username="lan_private", language_code="en")
    # A poll without the fields python-telegram-bot requires (as seen in the wild).
    await control.push_raw_update(
        "poll",
        {"id": "42", "question": "Lan's question", "options": [], "total_voter_count": 0},
    )
    await control.push_raw_update(
        "message",  # a message without a date, from a named person
        {"message_id": 9, "chat": {"id": lan.id, "type": "private"}, "text": "/start"},
    )
    await lan.send_command("/start")
    await lan.wait_for_bot_message("Choose your language", timeout=15)
    output = bot.output()
    assert output.count("could not be parsed") == 2  # each logged once, then left behind
    for personal in ("Nguyen Thi Lan", "lan_private", str(lan.id), "Lan's question"):
        assert personal not in output
    assert "Traceback" not in output


async def test_sigterm_closes_the_database_within_seconds(
    bot: BotProcess, control: ControlClient
) -> None:
    person = await control.create_user("Minh", language_code="en")
    await person.send_command("/start")
    await person.wait_for_bot_message("Choose your language", timeout=15)
    assert bot.process is not None
    started = time.monotonic()
    assert bot.stop() == 0
    assert time.monotonic() - started < 5
    assert "Traceback" not in bot.output()


async def test_a_second_bot_on_the_same_database_refuses_to_start(
    bot: BotProcess, local_server: LocalBotApiServer
) -> None:
    started = time.monotonic()
    second = _run_once(local_server, bot.database, bot.database.parent)
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and "storage.database" in lines[0] and "in use" in lines[0]
    assert time.monotonic() - started < 10
    # Commands that only read keep working beside the running bot.
    assert bot.export() == []
    assert bot.process is not None and bot.process.poll() is None


async def _migrated(database: Path) -> None:
    db = await open_database(database)
    await db.close()


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    paths: list[Path] = []
    yield paths
    for path in paths:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def test_a_database_that_cannot_be_written_stops_the_start_in_one_line(
    local_server: LocalBotApiServer, tmp_path: Path, immutable: list[Path]
) -> None:
    database = tmp_path / "scorecard.sqlite3"
    asyncio.run(_migrated(database))  # up to date: starting it would write nothing
    if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(database)]).returncode == 0:
        immutable.append(database)  # read-only even for root
    else:
        database.chmod(0o444)
    started = time.monotonic()
    result = _run_once(local_server, database, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "scorecard-bot: configuration error: storage.database: cannot write"
    ), result.stderr
    assert time.monotonic() - started < 10


def test_a_database_folder_that_cannot_be_made_stops_the_start_in_one_line(
    local_server: LocalBotApiServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    result = _run_once(local_server, blocker / "data" / "scorecard.sqlite3", tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "storage.database" in lines[0], result.stderr
