"""Answers begun on the previous survey version (2026.1: one screen per rating,
2022 and 2025) survive the upgrade: migrations carry them forward, they keep
their version and hash, still export, and the person continues where they were."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

from storage.export import write_ratings_csv
from storage.schema import MIGRATIONS
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import rate, statement

OLD_HASH = "0" * 64


def database_at_version_7(path: Path, telegram_id: int) -> None:
    """A database as the 2026.1 bot left it: mid-survey, live message on 'r1n'."""
    old = sqlite3.connect(path)
    for version in range(1, 8):
        for sql in MIGRATIONS[version]:
            old.execute(sql)
    old.execute("PRAGMA user_version = 7")
    old.executescript(
        f"""
        INSERT INTO users (id, telegram_id, chat_id, pseudonym, language, created_at)
            VALUES (1, {telegram_id}, {telegram_id}, 'ROLD00000001', 'en', '2026-11-20T00:00:00Z');
        INSERT INTO consents VALUES (1, 1, '2026-11-1', '2026-11-20T00:00:01Z');
        INSERT INTO responses (id, user_id, survey_id, survey_version, survey_hash,
            started_at, updated_at, live_message_id, shown_step)
            VALUES (1, 1, 'sdg-scorecard-vn', '2026.1', '{OLD_HASH}',
            '2026-11-20T00:00:02Z', '2026-11-20T00:05:00Z', 999, 'r1n');
        INSERT INTO profile_answers VALUES
            (1, 'group', 'youth', 't'), (1, 'region', 'north', 't'), (1, 'area', 'rural', 't'),
            (1, 'age_band', '16_30', 't'), (1, 'gender', 'female', 't');
        INSERT INTO ratings VALUES
            (1, '1.1.1', 'now', 1, 2, 0, '2026-11-20T00:03:00Z'),
            (1, '1.1.1', 'forecast', 1, 4, 0, '2026-11-20T00:04:00Z');
        """
    )
    old.commit()
    old.close()


async def test_a_response_from_the_previous_version_continues_and_still_exports(
    database: Path,
) -> None:
    person = Person(7001, "en")
    database.parent.mkdir(parents=True, exist_ok=True)
    database_at_version_7(database, person.id)
    async with Harness(make_settings(database)) as harness:
        (row,) = await harness.services.store.fetchall(
            "SELECT survey_version, survey_hash, shown_step, mode FROM responses"
        )
        assert tuple(row) == ("2026.1", OLD_HASH, None, "self")  # 'r1n' is gone, not misread
        await harness.text(person, "/resume")
        screen = harness.screen(person).text
        assert statement(harness, "1.2.1") in screen  # 1.1.1 was done: the next indicator
        await rate(harness, person, "n", "3")
        totals = await harness.services.store.fetchall(
            "SELECT SUM(rated), SUM(total) FROM rating_totals WHERE grp = 'youth'"
        )
        assert tuple(totals[0]) == (3, 9)  # old answers counted in the digests' totals too
    out = io.StringIO()
    write_ratings_csv(database, out, "sdg-scorecard-vn", ["group"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    old_rows = [r for r in rows if r["indicator_code"] == "1.1.1"]
    assert [(r["kind"], r["value"]) for r in old_rows] == [("now", "2"), ("forecast", "4")]
    assert {(r["survey_version"], r["survey_hash"]) for r in rows} == {("2026.1", OLD_HASH)}
