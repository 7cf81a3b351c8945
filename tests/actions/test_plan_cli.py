"""``scorecard-bot actions export|import``: the action plan as an XLSX table."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.actions.conftest import cli, fill_rows, rows_of, table
from tests.digest.conftest import ADMIN, COORDINATOR

SOON = (date.today() + timedelta(days=60)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()


def new_row(codes: str, due: str, scope: str = "region=north") -> list[object]:
    return [None, codes, scope, "Trẻ em bỏ học sớm", "Mở lớp học bổ trợ", "UBND xã",
            "Phó chủ tịch", due, None, None, None]  # fmt: skip


def test_export_import_and_move_on(
    stored_round: Path, database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "plan.xlsx"
    assert cli(stored_round, "actions", "export", "--out", str(plan)) == 0
    header = rows_of(plan)[0]
    assert header[:2] == ["Mã / ID", "Chỉ số / Indicators"]
    fill_rows(plan, [new_row("1.1.1, 4.1.1", SOON), new_row("1.1.1", SOON, "all")])

    assert cli(stored_round, "actions", "import", str(plan), "--dry-run") == 0
    assert "would import 2 new actions, 0 status changes" in capsys.readouterr().out
    assert table(database, "SELECT COUNT(*) FROM actions") == [(0,)]

    assert cli(stored_round, "actions", "import", str(plan)) == 0
    assert table(database, "SELECT id, status, scope, due_on FROM actions") == [
        (1, "agreed", '{"region":"north"}', SOON), (2, "agreed", "{}", SOON),
    ]  # fmt: skip
    assert table(database, "SELECT action_id, code FROM action_indicators ORDER BY 1, 2") == [
        (1, "1.1.1"), (1, "4.1.1"), (2, "1.1.1"),
    ]  # fmt: skip

    exported = tmp_path / "exported.xlsx"
    assert cli(stored_round, "actions", "export", "--out", str(exported)) == 0
    rows = rows_of(exported)
    assert [r[:3] for r in rows[1:]] == [[1, "1.1.1, 4.1.1", "region=north"], [2, "1.1.1", "all"]]
    # Move the first on: done today, with an evidence note; the second stays.
    fill_rows(exported, [[1, None, None, None, None, None, None, None, "done", None,
                          "Lớp học mở ngày 2/12"]])  # fmt: skip
    assert cli(stored_round, "actions", "import", str(exported)) == 0
    assert table(database, "SELECT id, status, done_on IS NOT NULL, evidence FROM actions") == [
        (1, "done", 1, "Lớp học mở ngày 2/12"), (2, "agreed", 0, ""),
    ]  # fmt: skip
    changes = table(database, "SELECT action_id, actor_id, field, old, new FROM action_changes")
    assert (1, 0, "status", "agreed", "done") in changes  # the command line is actor 0

    # The audit's actor ids never leave the database: nothing in the export names anyone.
    final = tmp_path / "final.xlsx"
    assert cli(stored_round, "actions", "export", "--out", str(final)) == 0
    cells = {str(v) for row in rows_of(final) for v in row if v is not None}
    assert not any(str(ADMIN) in c or str(COORDINATOR) in c for c in cells)
    assert "actor" not in " ".join(cells).lower()


def test_bad_files_change_nothing(
    stored_round: Path, database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a workbook")
    assert cli(stored_round, "actions", "import", str(broken)) == 1
    assert "not an XLSX workbook" in capsys.readouterr().err

    plan = tmp_path / "plan.xlsx"
    assert cli(stored_round, "actions", "export", "--out", str(plan)) == 0
    # One good row, then an unknown code, then a date in the past: nothing is written.
    fill_rows(plan, [new_row("1.1.1", SOON), new_row("9.9.9", SOON), new_row("1.1.1", PAST)])
    assert cli(stored_round, "actions", "import", str(plan)) == 1
    err = capsys.readouterr().err
    assert "sheet 'Actions', row 3, column B (Chỉ số / Indicators): unknown indicator code 9.9.9" in err
    assert f"sheet 'Actions', row 4, column H (Hạn (YYYY-MM-DD) / Due): {PAST} is in the past" in err
    assert "nothing imported: 2 problems" in err
    assert table(database, "SELECT COUNT(*) FROM actions") == [(0,)]

    # A status may only move forward: done, then back to agreed, is refused.
    fill_rows(plan, [new_row("1.1.1", SOON)] + [[None] * 11] * 2)
    assert cli(stored_round, "actions", "import", str(plan)) == 0
    fill_rows(plan, [[1, None, None, None, None, None, None, None, "dropped"]])
    assert cli(stored_round, "actions", "import", str(plan)) == 0
    fill_rows(plan, [[1, None, None, None, None, None, None, None, "agreed"]])
    assert cli(stored_round, "actions", "import", str(plan)) == 1
    assert "action 1 is dropped: it cannot become agreed" in capsys.readouterr().err
    assert table(database, "SELECT status FROM actions") == [("dropped",)]
    # A file without the actions sheet, or with its headers changed.
    fill_rows(plan, [["Something else"]], start=1)
    assert cli(stored_round, "actions", "import", str(plan)) == 1
    assert "row 1, column A: the header must be 'Mã / ID'" in capsys.readouterr().err
