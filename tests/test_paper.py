"""Paper forms: the printable template, and importing filled-in forms once, all or nothing."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from cli.main import main
from survey.model import load_survey

SURVEY = load_survey()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "scorecard.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(path))
    return path


def template(tmp_path: Path, language: str = "en", rows: int = 4) -> Path:
    out = tmp_path / f"form-{language}.xlsx"
    assert (
        main(["paper", "template", "--language", language, "--rows", str(rows), "--out", str(out)])
        == 0
    )
    return out


def fill(path: Path, rows: dict[int, dict[str, object]]) -> None:
    """Write answers by column key into data rows (1 = the first form row)."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    keys = {cell.value: cell.column for cell in sheet[1]}
    for number, answers in rows.items():
        for key, value in answers.items():
            sheet.cell(4 + number, keys[key], value)
    book.save(path)


GOOD = {
    "consent": "x",
    "profile:group:women": "x",
    "profile:group:ethnic_minority": "x",
    "profile:region": "North",
    "profile:area": "vùng sâu, vùng xa, miền núi",  # a Vietnamese label works in any template
    "rate:1.1.1:now": 2,
    "rate:1.1.1:forecast": "?",
    "rate:1.2.1:now": "4",
    "text:section:sdg1": "Giá cả tăng nhanh",
    "pick:priorities:sdg1": "x",
    "pick:priorities:sdg16": "x",
    "text:recommendations": "More clinics",
}


def rows_of(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_template_has_ids_headings_validation_and_print_setup(
    tmp_path: Path, database: Path
) -> None:
    path = template(tmp_path, "vi", rows=3)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Phiếu", "Hướng dẫn", "lists"]
    forms = book["Phiếu"]
    keys = [cell.value for cell in forms[1]]
    assert keys[:2] == ["form_id", "consent"]
    assert len([k for k in keys if k.startswith("rate:")]) == 2 * len(SURVEY.items)
    ids = [forms.cell(row, 1).value for row in (5, 6, 7)]
    assert len(set(ids)) == 3 and all(i.startswith("P") for i in ids)
    # The statement, in the chosen language, above its two columns.
    column = keys.index("rate:1.1.1:now") + 1
    assert SURVEY.items[0][1].label("vi") in forms.cell(3, column).value
    assert forms.cell(4, column).value == "Hiện nay (2026)"
    rules = {str(v.sqref): v for v in forms.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter(column)
    rating_rule = next(v for ref, v in rules.items() if f"{letter}5:{letter}7" in ref)
    assert rating_rule.formula1 == '"1,2,3,4,5,?"'
    assert forms.page_setup.orientation == "landscape"
    assert forms.print_title_rows == "$2:$4"
    assert forms.sheet_properties.pageSetUpPr.fitToPage and forms.page_setup.fitToHeight == 0
    guide = "\n".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
    assert "5 = Hoàn toàn đúng" in guide and "? = Không biết" in guide


def test_a_good_file_imports_paper_respondents(
    tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = template(tmp_path)
    fill(
        path,
        {
            1: GOOD,
            3: {
                **GOOD,
                "profile:group:women": None,
                "profile:group:ethnic_minority": None,
                "profile:group:prefer_not": "x",
            },
        },
    )
    capsys.readouterr()
    assert main(["paper", "import", str(path), "--dry-run"]) == 0
    assert "2 would be imported" in capsys.readouterr().out
    assert not database.exists() or not rows_of(database, "SELECT * FROM responses")

    assert main(["paper", "import", str(path)]) == 0
    assert "imported 2 paper forms" in capsys.readouterr().out
    users = rows_of(database, "SELECT telegram_id, chat_id, language FROM users ORDER BY id")
    assert users == [(-1, 0, "en"), (-2, 0, "en")]
    consents = rows_of(database, "SELECT agreed, consent_version FROM consents")
    assert all(agreed == 1 and version.startswith("paper-20") for agreed, version in consents)
    assert rows_of(database, "SELECT mode, submitted_at IS NOT NULL FROM responses") == [
        ("paper", 1),
        ("paper", 1),
    ]
    profile = rows_of(
        database, "SELECT choice FROM profile_answers WHERE question_id = 'group' ORDER BY 1"
    )
    assert profile == [("prefer_not",), ("women ethnic_minority",)]
    assert rows_of(
        database, "SELECT DISTINCT choice FROM profile_answers WHERE question_id = 'area'"
    ) == [("remote",)]
    assert rows_of(database, "SELECT DISTINCT selected FROM choices") == [("sdg1,sdg16",)]
    # The ratings reach the export like any others: 2, don't know, 4 per person.
    assert main(["export", "--format", "csv", "--out", "-"]) == 0
    exported = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {(r["mode"], r["submitted"]) for r in exported} == {("paper", "yes")}
    rated = [(r["indicator_code"], r["kind"], r["value"]) for r in exported]
    assert sorted(set(rated)) == [
        ("1.1.1", "forecast", ""),
        ("1.1.1", "now", "2"),
        ("1.2.1", "now", "4"),
    ]
    assert len(rated) == 6


def test_a_file_with_errors_lists_every_error_and_writes_nothing(
    tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = template(tmp_path)
    book = openpyxl.load_workbook(path)
    first_id = book.worksheets[0].cell(5, 1).value
    fill(
        path,
        {
            1: GOOD,
            2: {**GOOD, "rate:1.1.1:now": 7, "profile:region": "Atlantis"},
            3: {**GOOD, "form_id": first_id, "consent": None},
            4: {
                **GOOD,
                "pick:priorities:sdg4": "x",
                "pick:priorities:sdg5": "x",
                "rate:1.2.1:forecast": "yes",
            },
        },
    )
    capsys.readouterr()
    for args in (["--dry-run"], []):
        assert main(["paper", "import", str(path), *args]) == 1
        err = capsys.readouterr().err
        lines = err.splitlines()
        assert lines[0].endswith("6 errors, nothing imported:")
        keys = {
            cell.value: openpyxl.utils.get_column_letter(cell.column)
            for cell in book.worksheets[0][1]
        }
        expected = [
            f"sheet Forms, row 6, column {keys['profile:region']} (profile:region): unknown choice 'Atlantis'",
            f"sheet Forms, row 6, column {keys['rate:1.1.1:now']} (rate:1.1.1:now): '7' is not 1-5, ? or blank",
            f"sheet Forms, row 7, column A (form_id): form id {first_id} is also on row 5",
            f"sheet Forms, row 7, column {keys['consent']} (consent): no x for consent",
            f"sheet Forms, row 8, column {keys['rate:1.2.1:forecast']} (rate:1.2.1:forecast): 'yes' is not 1-5, ? or blank",
            f"sheet Forms, row 8, column {keys['pick:priorities:sdg1']} (pick:priorities:sdg1): 4 goals ticked, at most 3",
        ]
        for line in expected:
            assert any(got.startswith(line) for got in lines), (line, err)
    assert not database.exists() or rows_of(database, "SELECT count(*) FROM users") == [(0,)]


def test_a_file_imported_twice_imports_each_form_once(
    tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = template(tmp_path)
    fill(path, {1: GOOD})
    assert main(["paper", "import", str(path)]) == 0
    # The same file, with one more form filled in since.
    fill(path, {2: GOOD})
    capsys.readouterr()
    assert main(["paper", "import", str(path)]) == 0
    out = capsys.readouterr().out
    first_id = openpyxl.load_workbook(path).worksheets[0].cell(5, 1).value
    assert "imported 1 paper forms; 1 were imported before and skipped" in out
    assert f"already imported: {first_id}" in out
    assert rows_of(database, "SELECT count(*) FROM responses") == [(2,)]
    # Deleting a paper respondent never lets the form in again.
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("DELETE FROM users")
    assert main(["paper", "import", str(path)]) == 0
    assert "imported 0 paper forms; 2 were imported before" in capsys.readouterr().out
    assert rows_of(database, "SELECT count(*) FROM paper_forms") == [(2,)]


def test_a_file_that_is_no_form_is_refused_in_one_line(
    tmp_path: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.xlsx").write_text("not a workbook")
    assert main(["paper", "import", str(tmp_path / "notes.xlsx")]) == 1
    assert main(["paper", "import", str(tmp_path / "missing.xlsx")]) == 1
    other = openpyxl.Workbook()
    other.active.append(["name", "score"])
    other.save(tmp_path / "other.xlsx")
    assert main(["paper", "import", str(tmp_path / "other.xlsx")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 2)[-1] for line in lines] == [
        "not an XLSX workbook (File is not a zip file)",
        "no such file",
        "no sheet with 'form_id' in cell A1: not a paper form template",
    ]
    assert not database.exists()
