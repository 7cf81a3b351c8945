"""benchmarks/synthetic.py sums the running totals itself while it draws the
ratings (no GROUP BY over 125 million of them at 1,000,000 respondents): its
rating_totals and round_totals must be, row for row, what the triggers and
the migrations' rebuilds make of the same ratings."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from survey.model import load_survey

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from synthetic import (  # type: ignore[import-not-found]
    REBUILD_ROUND_TOTALS,
    REBUILD_TOTALS,
    Distribution,
    create_schema,
    generate,
)

TABLES = {"rating_totals": 6, "round_totals": 9}  # table: key columns
# In the order the bot writes them, so the answers' triggers fire as they would.
LOADED = (
    "invitations", "rounds", "users", "consents", "responses", "profile_answers", "ratings",
    "texts",
)  # fmt: skip


def _rows(db: sqlite3.Connection, table: str) -> list[tuple[object, ...]]:
    order = ", ".join(str(n) for n in range(1, TABLES[table] + 1))
    return db.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two rounds in three modes, then more respondents added outside any round
    (the sums go onto the totals already there)."""
    path = tmp_path_factory.mktemp("synthetic") / "scorecard.sqlite3"
    survey = load_survey()
    mixed = Distribution(
        group_shift={"youth": 0.3},
        modes={"self": 0.5, "interview": 0.3, "paper": 0.2},
        dont_know=0.1,
        skipped=0.05,
    )
    generate(path, 300, survey, mixed, seed=5, rounds=2)
    generate(path, 60, survey, Distribution(), seed=6)
    return path


def test_the_data_has_every_kind_of_rating_and_cell(generated: Path) -> None:
    with sqlite3.connect(generated) as db:
        kinds = db.execute(
            "SELECT SUM(value IS NOT NULL), SUM(value IS NULL AND NOT skipped), SUM(skipped)"
            " FROM ratings"
        ).fetchone()
        keys = db.execute(
            "SELECT COUNT(DISTINCT round_id), COUNT(DISTINCT mode),"
            " COUNT(DISTINCT COALESCE(invitation_code, '')) FROM responses"
        ).fetchone()
        zero_rows = db.execute(
            "SELECT COUNT(*) FROM round_totals WHERE rated = 0 AND dont_know = 0"
        ).fetchone()[0]
    assert all(kinds), kinds  # rated, don't know, skipped
    assert keys == (3, 3, 5), keys  # two rounds and none; three modes; four codes and none
    assert zero_rows  # a key only skipped ratings reached still has its row


@pytest.mark.parametrize("table", TABLES)
def test_the_sums_equal_the_migrations_group_by(generated: Path, table: str) -> None:
    rebuild = {"rating_totals": REBUILD_TOTALS, "round_totals": REBUILD_ROUND_TOTALS}[table]
    with sqlite3.connect(generated) as db:
        summed = _rows(db, table)
        db.execute("SAVEPOINT rebuild")
        db.execute(f"DELETE FROM {table}")
        db.execute(rebuild)
        rebuilt = _rows(db, table)
        db.execute("ROLLBACK TO rebuild")
    assert len(summed) > 1000
    assert summed == rebuilt


def test_the_sums_equal_the_triggers(generated: Path, tmp_path: Path) -> None:
    """The same rows inserted into a fresh database, triggers on: the same totals,
    and the same responses (the generator loads with the triggers that touch a
    response off, writing the updated_at they would leave)."""
    replayed = tmp_path / "replayed.sqlite3"
    create_schema(replayed)
    with sqlite3.connect(replayed) as db:
        db.execute("ATTACH DATABASE ? AS generated", (str(generated),))
        for table in LOADED:
            db.execute(f"INSERT INTO main.{table} SELECT * FROM generated.{table}")
        db.commit()
        db.execute("DETACH DATABASE generated")
        got = {table: _rows(db, table) for table in TABLES}
        got["responses"] = db.execute("SELECT * FROM responses ORDER BY id").fetchall()
    with sqlite3.connect(generated) as db:
        for table in TABLES:
            assert got[table] == _rows(db, table), table
        assert got["responses"] == db.execute("SELECT * FROM responses ORDER BY id").fetchall()


def test_the_schema_is_back_as_it_was(generated: Path, tmp_path: Path) -> None:
    """Every trigger and index dropped for the bulk load is there again, unchanged."""
    fresh = tmp_path / "fresh.sqlite3"
    create_schema(fresh)
    schema = (
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1, 2"
    )
    with sqlite3.connect(fresh) as db:
        expected = db.execute(schema).fetchall()
    with sqlite3.connect(generated) as db:
        assert db.execute(schema).fetchall() == expected
    assert any(name == "round_totals_add" for _type, name, _sql in expected)
