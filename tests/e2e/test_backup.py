"""Backups of a live bot: taken while fifty people answer, restored elsewhere, nothing lost;
a restore refused while the bot runs."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, ChatWatcher, Respondent, bot_environment

PEOPLE = 50
RATINGS = 20
# Ratings by pseudonym, indicator and kind, as a partner would read them in an export.
RATINGS_SQL = (
    "SELECT u.pseudonym, t.item_code, t.kind, t.value, t.skipped FROM ratings t"
    " JOIN responses r ON r.id = t.response_id JOIN users u ON u.id = r.user_id"
)


def _ratings(database: Path) -> set[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return set(connection.execute(RATINGS_SQL))
    finally:
        connection.close()


async def _cli(bot: BotProcess, database: Path, *args: str) -> tuple[int, str]:
    """``scorecard-bot <args>`` on ``database``, without blocking the respondents' loop."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=bot.database.parent,
        env=bot_environment(bot.server, database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_backup_taken_while_fifty_answer_restores_every_committed_rating(
    bot: BotProcess, control: ControlClient, survey: Survey, tmp_path: Path
) -> None:
    copy = tmp_path / "copies" / "during.sqlite3"
    async with ChatWatcher(control) as watcher:
        people = [
            Respondent(
                await control.create_user(f"Person {n}", language_code="en"),
                survey,
                "en",
                timeout=60,
                watcher=watcher,
            )
            for n in range(PEOPLE)
        ]

        async def take_part(person: Respondent) -> None:
            await person.begin()
            await person.answer(until=lambda step: len(person.given) == RATINGS)

        # A long read beside the bot (an export, say) keeps SQLite from checkpointing:
        # the answers that follow live only in the -wal file, as they may at any
        # moment, so a copy of the database file alone would miss them.
        reader = sqlite3.connect(bot.database)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM ratings").fetchone()
        answering = asyncio.gather(*(take_part(person) for person in people))
        # Once answers are flowing, note what is committed, then back up at once.
        while len(await asyncio.to_thread(_ratings, bot.database)) < PEOPLE * RATINGS // 5:
            await asyncio.sleep(0.05)
        committed = await asyncio.to_thread(_ratings, bot.database)
        code, err = await _cli(bot, bot.database, "backup", "--out", str(copy))
        assert code == 0, err
        reader.close()
        # A restore while the bot runs is refused in one line and changes nothing.
        during = len(await asyncio.to_thread(_ratings, bot.database))
        code, err = await _cli(bot, bot.database, "restore", str(copy))
        assert code == 2
        assert err.count("\n") == 1 and "in use by another running bot" in err, err
        assert "nothing was restored" in err
        assert len(await asyncio.to_thread(_ratings, bot.database)) >= during
        await answering

    final = _ratings(bot.database)
    assert len(final) == PEOPLE * RATINGS  # every respondent finished after the backup
    assert "Traceback" not in bot.output()

    # Restored into a fresh location: everything committed before the backup began is there.
    fresh = tmp_path / "elsewhere" / "scorecard.sqlite3"
    code, err = await _cli(bot, fresh, "restore", str(copy))
    assert code == 0, err
    restored = _ratings(fresh)
    assert committed <= restored, f"{len(committed - restored)} committed ratings lost"
    # A point-in-time copy: nothing from after it, nothing made up.
    assert restored <= final and len(restored) < len(final)
    connection = sqlite3.connect(fresh)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        # The trigger-kept totals agree with the restored ratings (one transaction each).
        (rated,) = connection.execute("SELECT SUM(rated) FROM rating_totals").fetchone()
        (counted,) = connection.execute(
            "SELECT COUNT(*) FROM ratings WHERE value IS NOT NULL"
        ).fetchone()
        assert rated == counted
    finally:
        connection.close()
    # The restored database is readable by the export, as the partners will read it.
    exported = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--format", "csv", "--out", "-"],
        cwd=tmp_path,
        env=bot_environment(bot.server, fresh),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert exported.stdout.count("\n") == len(restored) + 1  # a header and a row each


async def test_restore_refuses_what_is_not_a_scorecard_database(
    bot: BotProcess, tmp_path: Path
) -> None:
    bot.stop()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    before = bot.database.read_bytes()
    code, err = await _cli(bot, bot.database, "restore", str(junk))
    assert code == 2 and err.count("\n") == 1 and "not an SQLite database" in err, err
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    code, err = await _cli(bot, bot.database, "restore", str(empty))
    assert code == 2 and "is not a scorecard database" in err, err
    newer = tmp_path / "newer.sqlite3"
    code, _ = await _cli(bot, bot.database, "backup", "--out", str(newer))
    assert code == 0
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version = 999")
    connection.close()
    code, err = await _cli(bot, bot.database, "restore", str(newer))
    assert code == 2 and "newer than this bot's" in err, err
    assert bot.database.read_bytes() == before
