"""The sheets' rows and cells, and the problems found in them.

:class:`Reader` is shared by every part of the import: it reads a sheet into
:class:`Row` objects keyed by canonical column names (``label::vi``, not the
header's ``label::Tiếng Việt (vi)``) and collects every problem with the
header and letter the coordinator sees in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from survey.model import LANGUAGES
from survey.xlsform_export import LANGUAGE_NAMES, SHEETS
from survey.xlsform_import.problems import Problem

TRUE = {"yes", "true", "true()", "1"}
FALSE = {"", "no", "false", "false()", "0"}
LANGUAGE_HEADER = re.compile(r"^(?P<base>[a-z_]+)::.*\((?P<language>[a-z]{2})\)\s*$")


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict[str, str]  # canonical column -> stripped text
    letters: dict[str, str]
    headers: dict[str, str]

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class _Columns:
    """A sheet's header row: which column index holds which canonical column."""

    canonical: dict[int, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)


@dataclass
class Reader:
    """Reads sheets and cells, and collects every problem with its place.

    One class over 60 lines: every part of the import reads its cells and
    reports its problems through this one object; each method is short.
    """

    path: Path
    problems: list[Problem] = field(default_factory=list)

    # -- problems ---------------------------------------------------------
    def error(self, row: Row | None, column: str | None, message: str, sheet: str = "") -> None:
        self._add(row, column, message, sheet, warning=False)

    def warn(self, row: Row | None, column: str | None, message: str, sheet: str = "") -> None:
        self._add(row, column, message, sheet, warning=True)

    def _add(self, row: Row | None, column: str | None, message: str, sheet: str, warning: bool):
        if row is None:
            self.problems.append(Problem(sheet, None, None, None, message, warning))
            return
        header = row.headers.get(column or "", column) if column else None
        letter = row.letters.get(column or "") if column else None
        if column is not None and letter is None:
            header, letter = f"{column} (missing)", "?"
        self.problems.append(Problem(row.sheet, row.number, header, letter, message, warning))

    # -- sheets -----------------------------------------------------------
    def sheet(self, workbook, name: str) -> list[Row]:
        if name not in workbook.sheetnames:
            self.error(None, None, f"the workbook has no '{name}' sheet", sheet=name)
            return []
        rows = list(workbook[name].iter_rows(values_only=True))
        if not rows:
            self.error(None, None, "the sheet is empty (no header row)", sheet=name)
            return []
        columns = self._columns(name, rows)
        result = []
        for number, values in enumerate(rows[1:], start=2):
            cells = {
                columns.canonical[i]: _text(v)
                for i, v in enumerate(values)
                if i in columns.canonical and _text(v)
            }
            if cells:
                result.append(Row(name, number, cells, columns.letters, columns.headers))
        return result

    def _columns(self, name: str, rows: list[tuple]) -> _Columns:
        """The header row's known columns; unknown, foreign-language or doubled ones are problems."""
        from openpyxl.utils import get_column_letter

        known = set(SHEETS[name])
        columns = _Columns()
        for index, value in enumerate(rows[0]):
            header = _text(value)
            if not header:
                continue
            letter = get_column_letter(index + 1)
            match = LANGUAGE_HEADER.match(header)
            key = f"{match['base']}::{match['language']}" if match else header
            base = match["base"] if match else header
            if match and match["language"] not in LANGUAGES:
                self.problems.append(
                    Problem(
                        name,
                        1,
                        header,
                        letter,
                        "the bot speaks Vietnamese (vi) and English"
                        " (en) only: remove this column or rename it to (vi) or (en)",
                    )
                )
                continue
            if not any(_key_of(k) == key for k in known):
                message = _unknown_column(header, base, known)
                if any(_text(r[index]) for r in rows[1:] if index < len(r)):
                    self.problems.append(Problem(name, 1, header, letter, message))
                continue
            if key in columns.letters:
                self.problems.append(Problem(name, 1, header, letter, "this column appears twice"))
                continue
            columns.canonical[index] = key
            columns.headers[key] = header
            columns.letters[key] = letter
        return columns

    # -- cells ------------------------------------------------------------
    def text(
        self, row: Row, base: str, what: str, optional: bool = False, references: bool = False
    ) -> dict | None:
        """A two-language text from ``base::vi`` and ``base::en``, with its draft marks."""
        values = {language: row.get(f"{base}::{language}") for language in LANGUAGES}
        for language, value in values.items():
            if "${" in value and not references:
                # Kobo would fill it in; the bot shows its texts exactly as written.
                self.error(
                    row, f"{base}::{language}", "${…} is only understood in the rating headings"
                )
        if not any(values.values()):
            if not optional:
                self.error(row, f"{base}::vi", f"empty {what}: give it in both languages")
            return None
        for language, value in values.items():
            if not value:
                self.error(row, f"{base}::{language}", f"missing translation of the {what}")
        drafts = self.drafts(row).get(base, [])
        for language in drafts:
            self.warn(row, f"{base}::{language}", f"draft translation of the {what}")
        text: dict = {language: value or "?" for language, value in values.items()}
        if drafts:
            text["draft"] = drafts
        return text

    def drafts(self, row: Row) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for word in row.get("draft").split():
            base, _, language = word.partition("::")
            if language not in LANGUAGES or f"{base}::{language}" not in _text_columns(row.sheet):
                self.error(
                    row, "draft", f"{word!r}: write column::language, e.g. label::vi or hint::en"
                )
                continue
            found.setdefault(base, [])
            if language not in found[base]:
                found[base].append(language)
        # The survey file lists draft languages in the order vi, en.
        return {
            base: [lang for lang in LANGUAGES if lang in langs] for base, langs in found.items()
        }

    def only(self, row: Row, allowed: set[str], what: str) -> None:
        """Cells outside ``allowed`` mean something the bot would silently ignore."""
        always = {"type", "name", "draft"}
        for key in row.cells:
            if key not in allowed | always:
                self.error(row, key, f"not used on {what}: leave it empty")

    def required(self, row: Row, expected: bool, why: str) -> None:
        value = row.get("required").lower()
        if value not in TRUE | FALSE:
            self.error(row, "required", f"{value!r} is not yes or no")
        elif (value in TRUE) != expected:
            self.error(row, "required", why)


def _unknown_column(header: str, base: str, known: set[str]) -> str:
    if "::" not in header and any(k.startswith(f"{base}::") for k in known):
        return (
            f"give the language: {base}::{LANGUAGE_NAMES['vi']} and {base}::{LANGUAGE_NAMES['en']}"
        )
    return "not a column of the bot's XLSForm convention (see docs/survey-authors.md)"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _key_of(column_name: str) -> str:
    match = LANGUAGE_HEADER.match(column_name)
    return f"{match['base']}::{match['language']}" if match else column_name


def _text_columns(sheet: str) -> set[str]:
    return {_key_of(c) for c in SHEETS[sheet] if "::" in c}
