"""``scorecard-bot paper import``: filled-in paper forms to respondents.

The whole file is checked first. Any error (an unknown choice, a value out of
range, a duplicate form id, a row without consent...) refuses the whole file,
with every error by sheet, row and column, and nothing is written. A form id
imported before is reported and skipped: the rest of the file is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from locales.i18n import translator
from locales.textlimits import utf16_len
from storage.paper import PaperForm
from survey.model import LANGUAGES, ProfileQuestion, Survey
from survey.paper.form import (
    CONSENT,
    DONT_KNOW,
    FIRST_DATA_ROW,
    FORM_ID,
    KEY_ROW,
    PREFER_NOT,
    TICK,
)
from survey.paper.template import LISTS

MAX_TEXT = 2000  # as in the chat (conversations.screens.MAX_TEXT)


class PaperFileError(Exception):
    """The file cannot be read as a paper form at all (one line)."""


@dataclass(slots=True)
class Checked:
    sheet: str
    language: str
    forms: list[PaperForm] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    blank_rows: int = 0


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_forms(path: Path, survey: Survey, default_language: str) -> Checked:
    """Every row of the file's data sheet, checked against ``survey``."""
    from openpyxl.utils import get_column_letter

    title, language, rows = _data_sheet(path, survey, default_language)
    checked = Checked(title, language)
    keys = [_text(v) for v in rows[KEY_ROW]] if rows else []
    parser = _RowParser(survey, keys)
    for position, key in enumerate(keys):
        if key and key not in parser.known:
            checked.errors.append(
                f"sheet {title}, row {KEY_ROW + 1}, column {get_column_letter(position + 1)}:"
                f" unknown column key '{key}' (is the form from another survey?)"
            )
    seen: dict[str, int] = {}
    for index in range(FIRST_DATA_ROW, len(rows)):
        _check_row(checked, parser, seen, index + 1, rows[index])
    return checked


def _data_sheet(
    path: Path, survey: Survey, default_language: str
) -> tuple[str, str, list[tuple[Any, ...]]]:
    """The data sheet's title, the template's language and the sheet's rows."""
    from openpyxl import load_workbook

    if not path.is_file():
        raise PaperFileError(f"{path}: no such file")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zip, XML or format errors: all mean "not a workbook"
        raise PaperFileError(f"{path}: not an XLSX workbook ({error})") from None
    try:
        sheet = next(
            (s for s in book.worksheets if _text(s.cell(KEY_ROW + 1, 1).value) == FORM_ID),
            None,
        )
        if sheet is None:
            raise PaperFileError(
                f"{path}: no sheet with '{FORM_ID}' in cell A1: not a paper form template"
            )
        language = default_language
        if LISTS in book.sheetnames:
            written = _text(book[LISTS].cell(2, 2).value)
            survey_id = _text(book[LISTS].cell(1, 2).value)
            if survey_id and survey_id != survey.id:
                raise PaperFileError(
                    f"{path}: the form is for survey '{survey_id}', the bot runs '{survey.id}'"
                )
            if written in LANGUAGES:
                language = written
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        book.close()
    return sheet.title, language, rows


def _check_row(
    checked: Checked,
    parser: _RowParser,
    seen: dict[str, int],
    number: int,
    values: tuple[Any, ...],
) -> None:
    """One data row (Excel's ``number``): blank, or a form with its errors; ``seen`` holds
    the form ids so far and their rows."""
    from openpyxl.utils import get_column_letter

    keys = parser.keys

    def where(position: int) -> str:
        return (
            f"sheet {checked.sheet}, row {number}, column {get_column_letter(position + 1)}"
            f" ({keys[position]})"
        )

    filled = [
        p
        for p, v in enumerate(values)
        if p < len(keys) and keys[p] and keys[p] != FORM_ID and _text(v)
    ]
    if not filled:
        checked.blank_rows += 1
        return
    form_position = keys.index(FORM_ID)
    form_id = _text(values[form_position]) if form_position < len(values) else ""
    if not form_id:
        checked.errors.append(f"{where(form_position)}: a filled row needs its form id")
    elif form_id in seen:
        checked.errors.append(
            f"{where(form_position)}: form id {form_id} is also on row {seen[form_id]}"
        )
    else:
        seen[form_id] = number
    form, errors = parser.parse(form_id, values)
    checked.errors += [f"{where(p)}: {message}" for p, message in errors]
    checked.forms.append(form)


class _RowParser:
    """One data row to a paper form and its errors (by column position).

    One class over 60 lines because every method reads the same column keys
    and choice words, worked out once per file; each method is short.
    """

    def __init__(self, survey: Survey, keys: list[str]) -> None:
        self.survey = survey
        self.keys = keys
        self.known = {FORM_ID, CONSENT}
        self.words: dict[str, dict[str, str]] = {}  # profile question -> word -> choice id
        for question in survey.profile:
            ids = [c.id for c in question.choices] + ([PREFER_NOT] if question.sensitive else [])
            if question.multiple:
                self.known |= {f"profile:{question.id}:{choice}" for choice in ids}
                continue
            self.known.add(f"profile:{question.id}")
            self.words[question.id] = _choice_words(question, ids)
        for _section, item in survey.items:
            self.known |= {f"rate:{item.code}:{kind.id}" for kind in survey.rating_kinds}
        for section in survey.sections:
            self.known.add(f"text:section:{section.id}")
        for closing in survey.closing:
            if closing.kind == "text":
                self.known.add(f"text:{closing.id}")
            else:
                self.known |= {f"pick:{closing.id}:{s.id}" for s in survey.sections}

    def parse(
        self, form_id: str, values: tuple[Any, ...]
    ) -> tuple[PaperForm, list[tuple[int, str]]]:
        form = PaperForm(form_id)
        errors: list[tuple[int, str]] = []
        cells = {
            key: (position, _text(values[position]) if position < len(values) else "")
            for position, key in enumerate(self.keys)
            if key in self.known
        }
        ticks: dict[str, list[tuple[int, str]]] = {}  # question -> (position, choice) ticked
        for key, (position, raw) in cells.items():
            kind, _sep, rest = key.partition(":")
            if key == FORM_ID:
                continue
            if kind in {CONSENT, "profile", "pick"} and (key == CONSENT or rest.count(":")):
                self._tick(key, kind, rest, position, raw, ticks, errors)
            elif raw:
                self._answer(form, kind, rest, position, raw, errors)
            elif kind == "rate":
                code, rating_kind = rest.split(":")
                form.skipped.append((code, rating_kind, self.survey.item_by_code[code][0].sdg))
        if CONSENT not in ticks:
            position = cells[CONSENT][0] if CONSENT in cells else 0
            errors.append((position, "no x for consent: a row is imported only with consent"))
        for key, ticked in ticks.items():
            if key != CONSENT:
                self._ticked(form, key, ticked, errors)
        return form, sorted(errors)

    def _tick(
        self,
        key: str,
        kind: str,
        rest: str,
        position: int,
        raw: str,
        ticks: dict[str, list[tuple[int, str]]],
        errors: list[tuple[int, str]],
    ) -> None:
        """A box for x: consent, one choice of an "all that apply" question, a goal picked."""
        if raw and raw.casefold() != TICK:
            errors.append((position, f"'{raw}' is not x or blank"))
        elif raw and key == CONSENT:
            ticks[CONSENT] = [(position, TICK)]
        elif raw:
            question, choice = rest.rsplit(":", 1)
            ticks.setdefault(f"{kind}:{question}", []).append((position, choice))

    def _answer(
        self,
        form: PaperForm,
        kind: str,
        rest: str,
        position: int,
        raw: str,
        errors: list[tuple[int, str]],
    ) -> None:
        """A written answer: a profile choice in words, a rating, or a text."""
        if kind == "profile":
            choice = self.words[rest].get(raw.casefold())
            if choice is None:
                errors.append((position, f"unknown choice '{raw}'"))
            else:
                form.profile[rest] = choice
        elif kind == "rate":
            code, rating_kind = rest.split(":")
            sdg = self.survey.item_by_code[code][0].sdg
            if raw == DONT_KNOW:
                form.ratings[(code, rating_kind, sdg)] = None
            elif raw in {"1", "2", "3", "4", "5"}:
                form.ratings[(code, rating_kind, sdg)] = int(raw)
            else:
                errors.append((position, f"'{raw}' is not 1-5, ? or blank"))
        elif kind == "text":
            if utf16_len(raw) > MAX_TEXT:
                errors.append((position, f"longer than {MAX_TEXT} characters"))
            else:
                form.texts[rest] = raw

    def _ticked(
        self,
        form: PaperForm,
        key: str,
        ticked: list[tuple[int, str]],
        errors: list[tuple[int, str]],
    ) -> None:
        """The boxes ticked for one question, as its answer in the survey's order."""
        kind, question_id = key.split(":", 1)
        chosen = [choice for _position, choice in ticked]
        if kind == "profile":
            question = self.survey.profile_question(question_id)
            assert question is not None
            if PREFER_NOT in chosen and len(chosen) > 1:
                errors.append(
                    (ticked[0][0], "'prefer not to say' cannot be ticked with other answers")
                )
            order = [c.id for c in question.choices] + [PREFER_NOT]
            form.profile[question_id] = " ".join(c for c in order if c in chosen)
        elif kind == "pick":
            closing = next(c for c in self.survey.closing if c.id == question_id)
            if len(chosen) > closing.max_choices:
                errors.append(
                    (ticked[0][0], f"{len(chosen)} goals ticked, at most {closing.max_choices}")
                )
            order = [s.id for s in self.survey.sections]
            form.choices[question_id] = [s for s in order if s in chosen]


def _choice_words(question: ProfileQuestion, ids: list[str]) -> dict[str, str]:
    """What may be written for a single-answer question: choice ids and labels in any language."""
    words = {choice: choice for choice in ids}
    for choice in question.choices:
        for language in LANGUAGES:
            words[choice.label(language).casefold()] = choice.id
    if question.sensitive:
        for language in LANGUAGES:
            words[translator(language)("Prefer not to say").casefold()] = PREFER_NOT
    return words


def paper_consent_version(today: datetime | None = None) -> str:
    """The consent version recorded for a paper import: consent given on paper that day."""
    return "paper-" + (today or datetime.now(UTC)).strftime("%Y-%m-%d")
