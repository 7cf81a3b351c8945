"""The survey in Excel: XLSForm export, import and check (issue 12, part 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from cli.main import main
from survey.model import Survey, load_survey
from survey.xlsform_export import LANGUAGE_NAMES, SURVEY_COLUMNS

SHIPPED = Path(__file__).parent.parent / "survey/files/sdg_scorecard.toml"
VI, EN = (f"label::{LANGUAGE_NAMES[language]}" for language in ("vi", "en"))


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./config.toml: the shipped survey
    monkeypatch.delenv("SCORECARD_SURVEY__FILE", raising=False)


def fields(survey: Survey) -> dict:
    """Everything but the content hash, which pins the file's bytes."""
    return survey.model_dump(exclude={"content_hash"})


def export(tmp_path: Path, survey_file: Path | None = None) -> Path:
    out = tmp_path / "form.xlsx"
    if survey_file is not None:
        (tmp_path / "config.toml").write_text(f'[survey]\nfile = "{survey_file}"\n')
    assert main(["survey", "export", "--format", "xlsform", "--out", str(out)]) == 0
    return out


def import_(form: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["survey", "import", str(form), "--out", str(out)])
    return code, capsys.readouterr().err


def edit(form: Path, sheet: str, changes: dict[tuple[int, str], object]) -> None:
    """Set cells by (Excel row, header) as a coordinator would in Excel."""
    workbook = load_workbook(form)
    worksheet = workbook[sheet]
    headers = [cell.value for cell in worksheet[1]]
    for (row, header), value in changes.items():
        if header not in headers:
            headers.append(header)
            worksheet.cell(1, len(headers), header)
        worksheet.cell(row, headers.index(header) + 1).value = value  # None empties it
    workbook.save(form)


def find_row(form: Path, sheet: str, header: str, value: str) -> int:
    worksheet = load_workbook(form, read_only=True)[sheet]
    rows = list(worksheet.iter_rows(values_only=True))
    column = list(rows[0]).index(header)
    return next(n for n, row in enumerate(rows[1:], start=2) if row[column] == value)


def test_the_export_is_an_xlsform_pyxform_converts(tmp_path: Path) -> None:
    form = export(tmp_path)
    warnings: list[str] = []
    xform = convert(str(form), warnings=warnings).xform
    assert warnings == []
    # Both languages, the statement, the "ⓘ" text, and the years Kobo shows in headings.
    assert 'lang="Tiếng Việt (vi)"' in xform and 'lang="English (en)"' in xform
    assert "Everyone here has enough food and clothes." in xform
    assert "The share of people living below Vietnam's national poverty line." in xform
    assert "item_1_2_1:hint" in xform
    assert '<output value=" /data/now_year "/>' in xform
    sheets = load_workbook(form, read_only=True)
    assert sheets.sheetnames == ["survey", "choices", "settings"]
    header = next(sheets["survey"].iter_rows(values_only=True))
    assert list(header) == SURVEY_COLUMNS


def test_export_then_import_gives_back_the_shipped_survey(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)
    code, err = import_(form, tmp_path / "imported.toml", capsys)
    assert code == 0, err
    assert "68 draft translation(s) to review" in err
    imported = load_survey(tmp_path / "imported.toml")
    shipped = load_survey()
    assert fields(imported) == fields(shipped)
    assert imported.draft_labels() == shipped.draft_labels()
    assert imported.content_hash != shipped.content_hash  # another file, another hash


def test_skip_logic_official_levels_and_sensitivity_survive_the_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SHIPPED.read_text("utf-8")
    text = text.replace(  # the area question only for people outside the South
        'id = "area"\n', 'id = "area"\nrelevant = "${region} != \'south\'"\n', 1
    )
    text = text.replace(
        'short_title = { vi = "Xóa nghèo", en = "No poverty" }\n',
        'short_title = { vi = "Xóa nghèo", en = "No poverty" }\n'
        'official = { level = 3.8, source = "GSO 2024" }\n'
        "relevant = \"selected(${group}, 'youth') or ${area} = 'rural'\"\n",
        1,
    )
    text = text.replace(
        'code = "1.2.1"\n',
        'code = "1.2.1"\nrelevant = "not(selected(${group}, \'children\')) and'
        " ${gender} != 'prefer_not'\"\n",
        1,
    )
    text = text.replace('id = "region"\nsensitive = false', 'id = "region"\nsensitive = true')
    source = tmp_path / "variant.toml"
    source.write_text(text, "utf-8")
    original = load_survey(source)
    assert original.profile_question("area").relevant == "${region} != 'south'"

    form = export(tmp_path, source)
    convert(str(form))  # still a valid XLSForm
    code, err = import_(form, tmp_path / "imported.toml", capsys)
    assert code == 0, err
    imported = load_survey(tmp_path / "imported.toml")
    assert fields(imported) == fields(original)
    assert imported.section("sdg1").official.level == 3.8
    assert imported.profile_question("region").sensitive is True
    assert imported.item_by_code["1.2.1"][1].relevant.startswith("not(selected(")


def test_a_coordinator_rewords_reorders_and_drops_prefer_not_in_excel(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)
    statement = find_row(form, "survey", "indicator_code", "1.1.1")
    choices = list(load_workbook(form, read_only=True)["choices"].iter_rows(values_only=True))
    prefer_not = next(n for n, row in enumerate(choices, 1) if row[:2] == ("gender", "prefer_not"))
    edit(form, "survey", {(statement, EN): "Nobody here goes hungry."})
    workbook = load_workbook(form)
    workbook["choices"].delete_rows(prefer_not)
    workbook.save(form)
    now_year = find_row(form, "survey", "name", "now_year")
    forecast_year = find_row(form, "survey", "name", "forecast_year")
    edit(form, "survey", {(now_year, "calculation"): "2027", (forecast_year, "calculation"): 2031})

    code, err = import_(form, tmp_path / "imported.toml", capsys)
    assert code == 0, err
    imported = load_survey(tmp_path / "imported.toml")
    assert imported.item_by_code["1.1.1"][1].label.en == "Nobody here goes hungry."
    assert imported.profile_question("gender").sensitive is False
    assert imported.years == {"now": 2027, "forecast": 2031}
    assert imported.kind("now").heading("en") == "Now (2027)"


def test_errors_name_sheet_row_and_column_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)
    first = find_row(form, "survey", "indicator_code", "1.1.1")
    second = find_row(form, "survey", "indicator_code", "1.2.1")
    region = find_row(form, "survey", "name", "region")
    forecast_year = find_row(form, "survey", "name", "forecast_year")
    edit(
        form,
        "survey",
        {
            (first, EN): None,  # a missing translation
            (second, "indicator_code"): "1.1.1",  # a duplicate code
            (region, "relevant"): "${group} = 'women'",  # = on a question with several answers
            (forecast_year, "calculation"): "2020",  # before the now year
            (first, "constraint_message"): "too many",  # a column the bot does not know
        },
    )
    out = tmp_path / "imported.toml"
    code, err = import_(form, out, capsys)
    assert code == 2
    assert not out.exists()
    assert "5 error(s), nothing written" in err
    rows = [int(line.split(" row ")[1].split(",")[0]) for line in err.splitlines()[2:]]
    assert rows == sorted(rows)  # in the order a coordinator reads the sheet
    assert (
        f"survey row {first}, column D (label::English (en)): missing translation of the statement"
        in err
    )
    assert f"survey row {second}, column N (indicator_code): duplicate code 1.1.1" in err
    assert f"survey row {region}, column H (relevant): ${{group}} takes several answers" in err
    assert (
        f"survey row {forecast_year}, column K (calculation): the forecast year (2020)"
        " must come after the now year (2026)"
    ) in err
    assert "survey row 1, column W (constraint_message): not a column" in err


@pytest.mark.parametrize(
    ("sheet", "change", "message"),
    [
        ("survey", ("type", "integer"), "the bot does not understand a 'integer' row"),
        ("survey", ("relevant", "${age} > 3"), "expected = or != after ${age}, found '>'"),
        ("survey", ("required", "no"), "the bot asks every profile question: write yes"),
        ("settings", ("form_id", None), "empty form_id"),
        ("survey", (EN, "Hello ${name}"), "${…} is only understood in the rating headings"),
    ],
)
def test_unsupported_rows_are_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sheet: str,
    change: tuple[str, object],
    message: str,
) -> None:
    form = export(tmp_path)
    row = find_row(form, "survey", "name", "region") if sheet == "survey" else 2
    edit(form, sheet, {(row, change[0]): change[1]})
    code, err = import_(form, tmp_path / "out.toml", capsys)
    assert code == 2 and message in err, err
    assert f"{sheet} row {row}" in err
    assert not (tmp_path / "out.toml").exists()


def test_a_file_that_is_not_a_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = tmp_path / "form.xlsx"
    form.write_text("not a workbook")
    code, err = import_(form, tmp_path / "out.toml", capsys)
    assert code == 2 and "not an Excel workbook" in err


def test_check_lists_every_problem_of_a_survey_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SHIPPED.read_text("utf-8")
    text = text.replace('en = "Extreme poverty", draft = ["vi"]', 'en = "", draft = ["vi"]')
    text = text.replace('code = "4.1.1"', 'code = "1.1.1"', 1)
    text = text.replace("year = 2030", "year = 2025")
    text = text.replace('label = { vi = "Trẻ em", en = "Children" }', 'label = { vi = "Trẻ em" }')
    path = tmp_path / "s.toml"
    path.write_text(text, "utf-8")
    assert main(["survey", "check", str(path)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert "error: sections[sdg1].items[1.1.1].name.en: missing translation" in out
    assert "error: profile[group].choices[children].label.en: missing translation" in out
    assert (
        "error: sections[sdg4].items[1.1.1]: duplicate code (also sections[sdg1].items[1.1.1])"
        in out
    )
    assert (
        "error: rating_kinds[forecast].year: the forecast year (2025) must come after"
        " the now year (2026)" in out
    )
    assert "warning: sections[sdg1].items[1.1.1].name.vi: draft translation" in out
    assert out[-1] == f"{path}: 4 error(s), 68 warning(s)"


def test_check_passes_a_clean_survey_with_drafts_as_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "check", str(SHIPPED)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{SHIPPED}: no errors, 68 warning(s)"
    form = export(tmp_path)
    assert main(["survey", "check", str(form)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"{form}: no errors, 68 warning(s)"
    assert any(
        line.startswith("warning: survey row ")
        and "column O (official_name::Tiếng Việt (vi)): draft translation" in line
        for line in out
    )


def test_check_lists_an_empty_label_in_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)
    row = find_row(form, "survey", "name", "gender")
    edit(form, "survey", {(row, VI): None, (row, EN): " "})
    assert main(["survey", "check", str(form)]) == 2
    out = capsys.readouterr().out
    assert (
        f"error: survey row {row}, column C (label::Tiếng Việt (vi)): empty question:"
        " give it in both languages"
    ) in out


def test_import_to_standard_output_prints_the_survey_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)
    capsys.readouterr()
    assert main(["survey", "import", str(form), "--out", "-"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# Imported from form.xlsx by `scorecard-bot survey import`.")
    assert '[[sections.items]]\ncode = "1.1.1"\n' in text
    assert list(tmp_path.iterdir()) == [form]  # nothing else written


def test_a_label_without_its_language_is_refused_with_the_headers_to_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = export(tmp_path)  # Kobo's one-language style: a plain "label" column
    edit(form, "survey", {(find_row(form, "survey", "name", "region"), "label"): "Region"})
    code, err = import_(form, tmp_path / "out.toml", capsys)
    assert code == 2
    assert (
        "survey row 1, column W (label): give the language:"
        " label::Tiếng Việt (vi) and label::English (en)"
    ) in err
