"""``scorecard-bot paper template``: a printable, fill-in workbook.

Three sheets: the forms (one row per respondent, every answer cell checked by
data validation), how to fill them in, and the lists the validation uses.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from locales.i18n import Translate, translator
from survey.model import Survey
from survey.paper.form import (
    DONT_KNOW,
    FIRST_DATA_ROW,
    FORM_ID,
    KEY_ROW,
    RATING_VALUES,
    TICK,
    Column,
    choice_labels,
    columns,
)

LISTS = "lists"  # the validation lists' sheet: a fixed name the import also reads


def sheet_names(language: str) -> tuple[str, str]:
    """The forms and instructions sheets' names in the template's language."""
    return ("Phiếu", "Hướng dẫn") if language == "vi" else ("Forms", "Instructions")


def new_form_ids(count: int) -> list[str]:
    """Ids unique across templates: a random batch prefix and the row's number."""
    batch = secrets.token_hex(3).upper()
    return [f"P{batch}-{number:03d}" for number in range(1, count + 1)]


def write_template(survey: Survey, language: str, rows: int, out: Path) -> int:
    """Write the template; returns the number of form rows."""
    _ = translator(language)
    cols = columns(survey, language, _)
    forms_name, help_name = sheet_names(language)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    forms = book.add_worksheet(forms_name)
    guide = book.add_worksheet(help_name)
    lists = book.add_worksheet(LISTS)
    formats = _Formats.of(book)
    list_ranges = _write_lists(lists, survey, language, cols)
    _write_forms(forms, formats, cols, rows, list_ranges, language)
    _write_guide(book, guide, survey, language, forms_name)
    book.close()
    return rows


@dataclass(frozen=True)
class _Formats:
    """The forms sheet's cell formats: headings, hidden keys and answer cells."""

    group: Format
    question: Format
    label: Format
    key: Format
    cell: Format
    text: Format
    form_id: Format

    @classmethod
    def of(cls, book: xlsxwriter.Workbook) -> _Formats:
        wrap = {"text_wrap": True, "valign": "top", "border": 1, "font_size": 9}
        return cls(
            group=book.add_format({**wrap, "bold": True, "bg_color": "#DDEBF7"}),
            question=book.add_format(wrap),
            label=book.add_format({**wrap, "bold": True, "align": "center"}),
            key=book.add_format({"font_color": "#808080", "font_size": 7}),
            cell=book.add_format({"border": 1, "align": "center", "valign": "vcenter"}),
            text=book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
            form_id=book.add_format({"border": 1, "bold": True, "num_format": "@"}),
        )


def _write_lists(
    lists: Worksheet, survey: Survey, language: str, cols: list[Column]
) -> dict[str, str]:
    """The rating values, ticks, and each single-answer question's words; returns
    each choice column's range for its validation."""
    _ = translator(language)
    lists.write_string(0, 0, "survey")
    lists.write_string(0, 1, survey.id)
    lists.write_string(1, 0, "language")
    lists.write_string(1, 1, language)
    lists.write_string(3, 0, "rating")
    for offset, value in enumerate(RATING_VALUES):
        lists.write_string(4 + offset, 0, value)
    list_ranges: dict[str, str] = {}
    list_column = 1
    for col in cols:
        if col.kind != "choice":
            continue
        question_id = col.key.split(":", 1)[1]
        labels = choice_labels(survey, question_id, _, language)
        lists.write_string(3, list_column, question_id)
        for offset, label in enumerate(labels):
            lists.write_string(4 + offset, list_column, label)
        letter = xl_col_to_name(list_column)
        list_ranges[col.key] = f"={LISTS}!${letter}$5:${letter}${4 + len(labels)}"
        list_column += 1
    lists.hide()
    return list_ranges


def _write_forms(
    forms: Worksheet,
    formats: _Formats,
    cols: list[Column],
    rows: int,
    list_ranges: dict[str, str],
    language: str,
) -> None:
    """The headings, the pre-filled form ids, the checked answer cells and the print layout."""
    _ = translator(language)
    last_row = FIRST_DATA_ROW + rows - 1
    form_ids = new_form_ids(rows)
    for index, col in enumerate(cols):
        forms.set_column(index, index, col.width)
        forms.write_string(KEY_ROW, index, col.key, formats.key)
        forms.write_string(1, index, col.group, formats.group)
        forms.write_string(2, index, col.question, formats.question)
        forms.write_string(3, index, col.label, formats.label)
        if col.kind == FORM_ID:
            for offset, form_id in enumerate(form_ids):
                forms.write_string(FIRST_DATA_ROW + offset, index, form_id, formats.form_id)
            continue
        cell = formats.text if col.kind == "text" else formats.cell
        for row in range(FIRST_DATA_ROW, last_row + 1):
            forms.write_blank(row, index, None, cell)
        validation = _validation(col, list_ranges, _)
        if validation is not None:
            validation["ignore_blank"] = True
            forms.data_validation(FIRST_DATA_ROW, index, last_row, index, validation)
    # The keys stay in the file for the import but are neither shown nor printed.
    forms.set_row(KEY_ROW, None, None, {"hidden": True})
    forms.set_row(2, 150)
    forms.freeze_panes(FIRST_DATA_ROW, 1)
    forms.set_landscape()
    forms.set_paper(8)  # A3
    forms.repeat_rows(1, 3)
    forms.repeat_columns(0, 0)
    forms.fit_to_pages(1, 0)  # fit to width, as many pages down as needed
    forms.print_area(1, 0, last_row, len(cols) - 1)


def _validation(col: Column, list_ranges: dict[str, str], _: Translate) -> dict[str, object] | None:
    """Excel's data validation for the column's answer cells, by its kind."""
    if col.kind == "rating":
        return {
            "validate": "list",
            "source": RATING_VALUES,
            "error_title": _("1 to 5 or ?"),
            "error_message": _("Write 1 to 5, ? for don't know, or leave it blank."),
        }
    if col.kind in {"tick", "consent"}:
        return {
            "validate": "list",
            "source": [TICK],
            "error_message": _("Write x, or leave it blank."),
        }
    if col.kind == "choice":
        return {
            "validate": "list",
            "source": list_ranges[col.key],
            "error_message": _("Choose a value from the list, or leave it blank."),
        }
    if col.kind == "text":
        return {
            "validate": "length",
            "criteria": "<=",
            "value": 2000,
            "error_message": _("At most 2000 characters."),
        }
    return None


def _write_guide(
    book: xlsxwriter.Workbook, guide: Worksheet, survey: Survey, language: str, forms_name: str
) -> None:
    """How to fill it in, in the template's language."""
    _ = translator(language)
    guide.set_column(0, 0, 100)
    title = book.add_format({"bold": True, "font_size": 14})
    body = book.add_format({"text_wrap": True, "valign": "top"})
    guide.write_string(0, 0, survey.title(language), title)
    lines = [
        _(
            "One row of the sheet “{sheet}” is one person. Read each statement to them and"
            " write their answers; do not change the form ids."
        ).format(sheet=forms_name),
        _(
            "Only fill in a row after the consent text was read to the person and they"
            " agreed: then write x under “Agreed”. A row without x is not imported."
        ),
        _(
            "Each statement is rated twice: {now} and {forecast}. How far is it true where"
            " the person lives?"
        ).format(
            now=survey.kind("now").heading(language),
            forecast=survey.kind("forecast").heading(language),
        ),
        *[f"{point.value} = {point.label(language)}" for point in survey.scale.points],
        f"{DONT_KNOW} = {survey.scale.dont_know(language)}",
        _("Blank = not answered (the person skipped it)."),
        _(
            "Profile: choose from the list, or write x in each box that applies. Any"
            " question may stay blank."
        ),
        _("Comments and recommendations: write the person's own words."),
        _(
            "Type the answers into this file, then give it to the coordinator, who"
            " imports it with: scorecard-bot paper import FILE.xlsx"
        ),
    ]
    for number, line in enumerate(lines, start=2):
        guide.write_string(number, 0, line, body)
    guide.set_landscape()
    guide.fit_to_pages(1, 0)
