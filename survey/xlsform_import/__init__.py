"""Read an XLSForm workbook written to the bot's convention back into a survey.

The convention is described in ``survey/xlsform_export.py`` and docs/survey-authors.md.
Every problem is collected with its sheet, row and column (Excel's numbering:
the header is row 1, columns by letter) so a coordinator fixes them all in
one pass; nothing is written while any remains. Draft translations and
ignored wording are warnings: the survey still imports.

One module per part of the workbook: :mod:`.cells` reads the sheets and
their cells, :mod:`.settings` the settings sheet, :mod:`.choices` the choice
lists, :mod:`.survey_sheet` walks the survey sheet, handing profile and
closing questions to :mod:`.questions` and the goal and indicator groups to
:mod:`.goals`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from survey.model import Survey
from survey.xlsform_export import SHEETS
from survey.xlsform_import.cells import Reader, Row
from survey.xlsform_import.choices import read_goals_list, read_lists, read_scale
from survey.xlsform_import.problems import Problem, XLSFormError
from survey.xlsform_import.settings import read_settings
from survey.xlsform_import.survey_sheet import read_survey_sheet

__all__ = ["Problem", "XLSFormError", "read_xlsform"]


def read_xlsform(path: Path) -> tuple[Survey, list[Problem]]:
    """The survey in the workbook and its warnings; :class:`XLSFormError` lists every error."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise XLSFormError(path, [Problem("", None, None, None, "no such file")]) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XLSFormError(
            path, [Problem("", None, None, None, f"not an Excel workbook (.xlsx): {exc}")]
        ) from None
    reader = Reader(path)
    try:
        sheets = {name: reader.sheet(workbook, name) for name in SHEETS}
    finally:
        workbook.close()
    data = _build(reader, sheets)
    errors = [p for p in reader.problems if not p.warning]
    if not errors:
        errors.extend(_pyxform_problems(path))
    if not errors:
        try:
            survey = Survey.model_validate(data)
        except ValidationError as exc:
            errors = [
                Problem("survey", None, None, None, e["msg"].removeprefix("Value error, "))
                for e in exc.errors()
            ]
    warnings = [p for p in reader.problems if p.warning]
    if errors:
        raise XLSFormError(path, _in_reading_order(errors) + _in_reading_order(warnings))
    return survey, _in_reading_order(warnings)


def _build(reader: Reader, sheets: dict[str, list[Row]]) -> dict:
    """The survey file's data from the sheets, in the order their problems are found."""
    data: dict = {}
    read_settings(reader, sheets["settings"], data)
    lists = read_lists(reader, sheets["choices"])
    data["scale"] = read_scale(reader, lists)
    read_survey_sheet(reader, sheets["survey"], lists, data)
    read_goals_list(reader, lists, data["sections"])
    return data


def _in_reading_order(problems: list[Problem]) -> list[Problem]:
    sheets = list(SHEETS)
    return sorted(
        problems,
        key=lambda p: (
            sheets.index(p.sheet) if p.sheet in sheets else -1,
            p.row or 0,
            (len(p.letter), p.letter) if p.letter else (0, ""),
        ),
    )


def _pyxform_problems(path: Path) -> list[Problem]:
    """What the reference converter behind Kobo and ODK says about the workbook."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(str(path))
    except PyXFormError as exc:
        return [Problem("survey", None, None, None, f"pyxform: {exc}")]
    return []
