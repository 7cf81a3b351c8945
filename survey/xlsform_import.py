"""Read an XLSForm workbook written to the bot's convention back into a survey.

The convention is described in ``conversations/xlsform.py`` and the README.
Every problem is collected with its sheet, row and column (Excel's numbering:
the header is row 1, columns by letter) so a coordinator fixes them all in
one pass; nothing is written while any remains. Draft translations and
ignored wording are warnings: the survey still imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from survey.model import (
    LANGUAGES,
    ProfileQuestion,
    Survey,
    relevant_problem,
)
from survey.xlsform_export import (
    DONT_KNOW,
    EXCLUSIVE_PREFER_NOT,
    GOALS_LIST,
    LANGUAGE_NAMES,
    PREFER_NOT,
    SCALE_LIST,
    SHEETS,
    WELCOME,
    YEAR_FIELDS,
    prefer_not_text,
)

TRUE = {"yes", "true", "true()", "1"}
FALSE = {"", "no", "false", "false()", "0"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
SELECT = re.compile(r"^(select_one|select_multiple|select one|select multiple)\s+(\S+)$")
MAX_CHOICES = re.compile(r"^count-selected\(\s*\.\s*\)\s*<=\s*(\d+)$")
LANGUAGE_HEADER = re.compile(r"^(?P<base>[a-z_]+)::.*\((?P<language>[a-z]{2})\)\s*$")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None  # the header, e.g. "label::English (en)"
    letter: str | None  # Excel's column letter
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.letter} ({self.column})"
        return f"{'warning' if self.warning else 'error'}: {where}: {self.message}"


class XLSFormError(Exception):
    """The workbook does not follow the convention: every problem found."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(str(p) for p in problems))


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
class _Reader:
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
        from openpyxl.utils import get_column_letter

        if name not in workbook.sheetnames:
            self.error(None, None, f"the workbook has no '{name}' sheet", sheet=name)
            return []
        rows = list(workbook[name].iter_rows(values_only=True))
        if not rows:
            self.error(None, None, "the sheet is empty (no header row)", sheet=name)
            return []
        known = set(SHEETS[name])
        canonical: dict[int, str] = {}
        headers: dict[str, str] = {}
        letters: dict[str, str] = {}
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
                if "::" not in header and any(k.startswith(f"{base}::") for k in known):
                    message = (
                        f"give the language: {base}::{LANGUAGE_NAMES['vi']} and"
                        f" {base}::{LANGUAGE_NAMES['en']}"
                    )
                else:
                    message = "not a column of the bot's XLSForm convention (see the README)"
                if any(_text(r[index]) for r in rows[1:] if index < len(r)):
                    self.problems.append(Problem(name, 1, header, letter, message))
                continue
            if key in letters:
                self.problems.append(Problem(name, 1, header, letter, "this column appears twice"))
                continue
            canonical[index] = key
            headers[key] = header
            letters[key] = letter
        result = []
        for number, values in enumerate(rows[1:], start=2):
            cells = {
                canonical[i]: _text(v) for i, v in enumerate(values) if i in canonical and _text(v)
            }
            if cells:
                result.append(Row(name, number, cells, letters, headers))
        return result

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
    reader = _Reader(path)
    try:
        sheets = {name: reader.sheet(workbook, name) for name in SHEETS}
    finally:
        workbook.close()
    data = _Builder(reader, sheets).build()
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


class _Builder:
    """Walks the sheets into the survey file's data, collecting problems on the way."""

    def __init__(self, reader: _Reader, sheets: dict[str, list[Row]]) -> None:
        self.reader = reader
        self.sheets = sheets
        self.lists: dict[str, list[Row]] = {}
        self.names: dict[str, Row] = {}

    def build(self) -> dict:
        data: dict = {}
        self._settings(data)
        self._choices()
        data["scale"] = self._scale()
        self._survey(data)
        return data

    # -- settings ---------------------------------------------------------
    def _settings(self, data: dict) -> None:
        rows = self.sheets["settings"]
        if not rows:
            self.reader.error(None, None, "no settings row (form_id, version, …)", "settings")
            return
        row = rows[0]
        for extra in rows[1:]:
            self.reader.error(extra, None, "only the first settings row is read: delete this one")
        for key, name in (("id", "form_id"), ("version", "version")):
            if not row.get(name):
                self.reader.error(row, name, f"empty {name}")
            data[key] = row.get(name)
        data["title"] = self.reader.text(row, "survey_title", "survey title")
        title_vi = row.get("survey_title::vi")
        if row.get("form_title") and title_vi and row.get("form_title") != title_vi:
            self.reader.error(
                row, "form_title", "differs from the Vietnamese survey_title: keep them the same"
            )
        self.reader.only(
            row,
            {
                "form_id",
                "version",
                "form_title",
                "survey_title::vi",
                "survey_title::en",
                "default_language",
            },
            "settings",
        )

    # -- choices ----------------------------------------------------------
    def _choices(self) -> None:
        for row in self.sheets["choices"]:
            list_name = row.get("list_name")
            if not list_name:
                self.reader.error(row, "list_name", "empty list_name")
                continue
            if not row.get("name"):
                self.reader.error(row, "name", "empty choice name")
                continue
            names = [r.get("name") for r in self.lists.get(list_name, [])]
            if row.get("name") in names:
                self.reader.error(
                    row, "name", f"duplicate choice {row.get('name')!r} in {list_name}"
                )
                continue
            self.lists.setdefault(list_name, []).append(row)

    def _scale(self) -> dict:
        rows = self.lists.get(SCALE_LIST, [])
        names = [r.get("name") for r in rows]
        expected = ["1", "2", "3", "4", "5", DONT_KNOW]
        if names != expected:
            self.reader.error(
                rows[0] if rows else None,
                "name" if rows else None,
                f"the '{SCALE_LIST}' list must be {', '.join(expected)} in this order"
                f" (found {', '.join(names) or 'nothing'})",
                "choices",
            )
        texts = {
            r.get("name"): self.reader.text(r, "label", f"scale label {r.get('name')}")
            for r in rows
        }
        return {
            "points": [{"value": v, "label": texts.get(str(v))} for v in range(1, 6)],
            "dont_know": texts.get(DONT_KNOW),
        }

    def _options(self, row: Row, list_name: str) -> tuple[list[dict], bool]:
        """A profile question's choices and whether it is sensitive (ends with prefer_not)."""
        rows = self.lists.get(list_name)
        if rows is None:
            self.reader.error(row, "type", f"no choice list '{list_name}' on the choices sheet")
            return [], False
        choices, sensitive = [], False
        for choice in rows:
            if choice.get("name") == PREFER_NOT:
                sensitive = True
                if choice is not rows[-1]:
                    self.reader.error(
                        choice, "name", f"{PREFER_NOT} must be the list's last choice"
                    )
                own = prefer_not_text()
                if any(choice.get(f"label::{lang}") not in ("", own(lang)) for lang in LANGUAGES):
                    self.reader.warn(
                        choice,
                        "label::vi",
                        f"the bot always says {own('vi')!r} / {own('en')!r} here (UI catalog)",
                    )
                continue
            self.reader.only(choice, {"list_name", "name", "label::vi", "label::en"}, "a choice")
            choices.append(
                {
                    "id": choice.get("name"),
                    "label": self.reader.text(choice, "label", "choice label"),
                }
            )
        return choices, sensitive

    # -- survey -----------------------------------------------------------
    def _survey(self, data: dict) -> None:
        years: dict[str, int] = {}
        headings: dict[str, tuple[Row, dict | None]] = {}
        data["profile"], data["sections"], data["closing"] = [], [], []
        stack: list[tuple[str, Row, dict]] = []  # ("section" | "item", row, data)
        seen_goal = False
        codes: dict[str, Row] = {}
        sdgs: dict[str, Row] = {}
        for row in self.sheets["survey"]:
            kind = row.get("type")
            name = row.get("name")
            if not kind:
                self.reader.error(row, "type", "empty type")
                continue
            if kind != "end group":  # an end group may repeat its group's name
                self._name(row)
            select = SELECT.match(kind)
            level = stack[-1][0] if stack else "top"
            if kind == "calculate" and level == "top" and name in YEAR_FIELDS.values():
                self.reader.only(row, {"calculation"}, "a year row")
                try:
                    years[name] = int(row.get("calculation"))
                except ValueError:
                    self.reader.error(row, "calculation", "write the year, e.g. 2026")
            elif kind == "note" and level == "top" and name == WELCOME:
                self.reader.only(row, {"label::vi", "label::en"}, "the welcome note")
                data["welcome"] = self.reader.text(row, "label", "welcome")
            elif select and level == "top" and select[2] == GOALS_LIST:
                self._pick_goals(row, data, select[1])
            elif select and level == "top" and not seen_goal:
                question = self._profile(row, select, data["profile"])
                if question is not None:
                    data["profile"].append(question)
            elif kind == "text" and level == "top" and seen_goal:
                self.reader.only(row, {"label::vi", "label::en", "required"}, "a closing question")
                self.reader.required(row, False, "the bot lets everyone skip a free-text question")
                data["closing"].append(
                    {"id": name, "kind": "text", "prompt": self.reader.text(row, "label", "prompt")}
                )
            elif kind == "begin group" and level == "top":
                seen_goal = True
                if data["closing"]:
                    self.reader.error(row, "type", "goals come before the closing questions")
                section = self._section(row, sdgs, data["profile"])
                data["sections"].append(section)
                stack.append(("section", row, section))
            elif kind == "begin group" and level == "section":
                item = self._item(row, codes, data["profile"])
                stack[-1][2]["items"].append(item)
                stack.append(("item", row, item))
            elif kind == "text" and level == "section":
                section = stack[-1][2]
                self.reader.only(row, {"label::vi", "label::en", "required"}, "a goal's comment")
                self.reader.required(row, False, "the bot lets everyone skip a comment")
                if "comment" in section:
                    self.reader.error(row, "type", "a goal has at most one comment (text) row")
                section["comment"] = self.reader.text(row, "label", "comment prompt")
            elif select and level == "item" and select[2] == SCALE_LIST:
                self._rating(row, stack[-1], headings)
            elif kind == "end group" and stack:
                self._close(stack.pop())
            else:
                self.reader.error(row, "type", self._misplaced(kind, level, seen_goal, name))
        for _level, row, _data in stack:
            self.reader.error(row, "type", "this group has no 'end group' row")
        for kind_id, field_name in YEAR_FIELDS.items():
            if field_name not in years:
                self.reader.error(
                    None,
                    None,
                    f"no 'calculate' row named {field_name} (the {kind_id} year)",
                    "survey",
                )
        if len(years) == 2 and years["forecast_year"] <= years["now_year"]:
            row = self.names.get("forecast_year")
            self.reader.error(
                row,
                "calculation",
                f"the forecast year ({years['forecast_year']}) must come after the now year"
                f" ({years['now_year']})",
            )
        data["rating_kinds"] = [
            {
                "id": kind_id,
                "year": years.get(field_name, 0),
                "label": headings.get(kind_id, (None, None))[1],
            }
            for kind_id, field_name in YEAR_FIELDS.items()
        ]
        for kind_id in YEAR_FIELDS:
            if kind_id not in headings:
                self.reader.error(
                    None, None, f"no '{kind_id}' rating row in any indicator", "survey"
                )
        self._goals_list(data["sections"])

    def _name(self, row: Row) -> None:
        name = row.get("name")
        if not name:
            self.reader.error(row, "name", "empty name")
        elif not NAME.match(name):
            self.reader.error(
                row, "name", f"{name!r}: start with a letter; letters, digits, _ . - only"
            )
        elif name in self.names:
            self.reader.error(row, "name", f"{name!r} is already row {self.names[name].number}")
        else:
            self.names[name] = row

    def _misplaced(self, kind: str, level: str, seen_goal: bool, name: str) -> str:
        where = {
            "top": "outside the goals",
            "section": "in a goal, outside an indicator",
            "item": "in an indicator",
        }[level]
        if kind == "end group":
            return "an 'end group' without its 'begin group'"
        if SELECT.match(kind) and level == "top" and seen_goal:
            return "profile questions come before the first goal"
        if kind == "text" and level == "top":
            return "free-text questions come after the goals (closing questions)"
        if kind == "calculate":
            return f"only the calculate rows {' and '.join(YEAR_FIELDS.values())} are understood"
        return f"the bot does not understand a {kind!r} row {where} (see the README's convention)"

    def _relevant(self, row: Row, target: dict, before: list) -> None:
        expression = row.get("relevant")
        if not expression:
            return
        questions = []
        for question in before:
            try:
                questions.append(ProfileQuestion.model_validate(question))
            except ValidationError:
                continue  # its own row already reports the problem
        problem = relevant_problem(expression, questions)
        if problem:
            self.reader.error(row, "relevant", problem)
        target["relevant"] = expression

    def _profile(self, row: Row, select: re.Match, before: list[dict]) -> dict | None:
        self.reader.only(
            row,
            {"label::vi", "label::en", "required", "relevant", "constraint"},
            "a profile question",
        )
        self.reader.required(row, True, "the bot asks every profile question: write yes")
        choices, sensitive = self._options(row, select[2])
        multiple = select[1].replace(" ", "_") == "select_multiple"
        constraint = row.get("constraint")
        if constraint and not (multiple and sensitive and constraint == EXCLUSIVE_PREFER_NOT):
            self.reader.error(
                row,
                "constraint",
                f"only {EXCLUSIVE_PREFER_NOT} is understood here, on a select_multiple"
                f" question with {PREFER_NOT}",
            )
        question = {
            "id": row.get("name"),
            "prompt": self.reader.text(row, "label", "question"),
            "choices": choices,
            "sensitive": sensitive,
            "multiple": multiple,
        }
        self._relevant(row, question, before)
        return question

    def _pick_goals(self, row: Row, data: dict, select_type: str) -> None:
        self.reader.only(
            row, {"label::vi", "label::en", "required", "constraint"}, "a closing question"
        )
        self.reader.required(row, False, "the bot lets everyone skip a closing question")
        if not data["sections"]:
            self.reader.error(row, "type", "the goals question comes after the goals")
        if select_type.replace(" ", "_") != "select_multiple":
            self.reader.error(row, "type", f"write select_multiple {GOALS_LIST}")
        match = MAX_CHOICES.match(row.get("constraint"))
        if not match:
            self.reader.error(row, "constraint", "write count-selected(.) <= N (N from 1 to 6)")
        data["closing"].append(
            {
                "id": row.get("name"),
                "kind": "pick_goals",
                "prompt": self.reader.text(row, "label", "prompt"),
                "max_choices": int(match[1]) if match else 3,
            }
        )

    def _section(self, row: Row, sdgs: dict[str, Row], profile: list) -> dict:
        self.reader.only(
            row,
            {
                "label::vi",
                "label::en",
                "relevant",
                "sdg",
                "official_level",
                "official_source",
                "appearance",
            },
            "a goal group",
        )
        sdg = row.get("sdg")
        if not sdg.isdigit() or not 1 <= int(sdg) <= 17:
            self.reader.error(row, "sdg", "write the goal's number, 1 to 17")
        elif sdg in sdgs:
            self.reader.error(row, "sdg", f"goal {sdg} is already row {sdgs[sdg].number}")
        else:
            sdgs[sdg] = row
        section: dict = {
            "id": row.get("name"),
            "sdg": int(sdg) if sdg.isdigit() else 0,
            "title": self.reader.text(row, "label", "goal title"),
            "items": [],
            "_row": row,
        }
        level, source = row.get("official_level"), row.get("official_source")
        if level or source:
            try:
                section["official"] = {"level": float(level), "source": source}
            except ValueError:
                self.reader.error(row, "official_level", "write a number from 1 to 5, e.g. 3.5")
            if not source:
                self.reader.error(row, "official_source", "say where the official level comes from")
            elif level and not 1 <= _float(level) <= 5:
                self.reader.error(row, "official_level", "write a number from 1 to 5")
        self._relevant(row, section, profile)
        return section

    def _item(self, row: Row, codes: dict[str, Row], profile: list) -> dict:
        self.reader.only(
            row,
            {
                "label::vi",
                "label::en",
                "hint::vi",
                "hint::en",
                "relevant",
                "indicator_code",
                "official_name::vi",
                "official_name::en",
                "appearance",
            },
            "an indicator group",
        )
        code = row.get("indicator_code")
        if not code:
            self.reader.error(row, "indicator_code", "give the UN SDG indicator code, e.g. 1.2.1")
        elif code in codes:
            self.reader.error(
                row, "indicator_code", f"duplicate code {code} (already row {codes[code].number})"
            )
        else:
            codes[code] = row
        item: dict = {
            "code": code,
            "label": self.reader.text(row, "label", "statement"),
            "name": self.reader.text(row, "official_name", "official name"),
            "about": self.reader.text(row, "hint", "ⓘ text (hint)"),
            "_row": row,
            "_ratings": [],
        }
        self._relevant(row, item, profile)
        return item

    def _rating(self, row: Row, parent: tuple[str, Row, dict], headings: dict) -> None:
        self.reader.only(row, {"label::vi", "label::en", "rating", "required"}, "a rating row")
        self.reader.required(row, False, "the bot lets everyone skip a rating or say 'don't know'")
        kind = row.get("rating")
        if kind not in YEAR_FIELDS:
            self.reader.error(row, "rating", "write now or forecast")
            return
        parent[2]["_ratings"].append(kind)
        label = self.reader.text(row, "label", f"{kind} heading", references=True)
        if label is not None:
            for language in LANGUAGES:
                template = label[language].replace(f"${{{YEAR_FIELDS[kind]}}}", "{year}")
                if "${" in template or re.search(r"\{(?!year\})", template):
                    self.reader.error(
                        row,
                        f"label::{language}",
                        f"only ${{{YEAR_FIELDS[kind]}}} may stand for a value in this heading",
                    )
                label[language] = template
        if kind not in headings:
            headings[kind] = (row, label)
        elif headings[kind][1] != label:
            self.reader.error(
                row,
                "label::vi",
                f"the bot shows one {kind} heading for every indicator: make it the same as"
                f" row {headings[kind][0].number}",
            )

    def _close(self, frame: tuple[str, Row, dict]) -> None:
        level, row, node = frame
        node.pop("_row")
        if level == "section" and not node["items"]:
            self.reader.error(row, "type", "a goal needs at least one indicator group")
        if level == "item" and node.pop("_ratings") != list(YEAR_FIELDS):
            self.reader.error(
                row,
                "type",
                "an indicator group holds two select_one scale rows: rating now, then forecast",
            )

    def _goals_list(self, sections: list[dict]) -> None:
        """The goals list gives each goal its short title, in the goals' order."""
        rows = self.lists.get(GOALS_LIST, [])
        by_name = {r.get("name"): r for r in rows}
        for section in sections:
            choice = by_name.get(section["id"])
            if choice is None:
                self.reader.error(
                    None,
                    None,
                    f"the '{GOALS_LIST}' list has no choice {section['id']!r}: each goal needs"
                    " one, labelled with its short title",
                    "choices",
                )
                continue
            self.reader.only(choice, {"list_name", "name", "label::vi", "label::en"}, "a goal")
            section["short_title"] = self.reader.text(choice, "label", "short title")
        ids = [s["id"] for s in sections]
        for row in rows:
            if row.get("name") not in ids:
                self.reader.error(row, "name", f"no goal group named {row.get('name')!r}")
        if [r.get("name") for r in rows if r.get("name") in ids] != ids:
            self.reader.error(
                rows[0] if rows else None,
                "name" if rows else None,
                f"list the '{GOALS_LIST}' choices in the order of the goal groups",
                "choices",
            )


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0
