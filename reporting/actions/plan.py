"""The action-plan table as XLSX: one format for the meeting pack's blank
table, ``scorecard-bot actions export`` and ``actions import``.

Headers are bilingual (Vietnamese first) so that one file serves both
languages; the import reads them back exactly. Nothing here writes to the
database: ``read_plan`` returns the rows to add and the status changes, or
every problem found, each by sheet, row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from reporting.digest.scope import (
    ScopeError,
    parse_scope,
    scope_from_json,
    scope_text,
    scope_to_json,
)
from storage.actions import NEXT, STATUSES, Action, NewAction
from survey.model import Survey

SHEET = "Actions"
# (key, header): the header is what the file shows and what the import expects.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "Mã / ID"),
    ("indicators", "Chỉ số / Indicators"),
    ("scope", "Phạm vi / Scope"),
    ("issue", "Vấn đề / Issue"),
    ("agreed", "Đã thống nhất / Agreed action"),
    ("organisation", "Cơ quan phụ trách / Responsible organisation"),
    ("role", "Vai trò / Role"),
    ("due", "Hạn (YYYY-MM-DD) / Due"),
    ("status", "Trạng thái / Status"),
    ("status_on", "Ngày trạng thái / Status date"),
    ("evidence", "Bằng chứng / Evidence"),
)
WIDTHS = {"id": 8, "indicators": 14, "scope": 16, "issue": 36, "agreed": 36,
          "organisation": 26, "role": 16, "due": 14, "status": 14, "status_on": 14,
          "evidence": 30}  # fmt: skip
REQUIRED = ("indicators", "issue", "agreed", "organisation", "due")
# Vietnamese status words are read as well as the ids.
STATUS_WORDS = {
    "agreed": "agreed", "đã thống nhất": "agreed",
    "in_progress": "in_progress", "in progress": "in_progress", "đang thực hiện": "in_progress",
    "done": "done", "hoàn thành": "done",
    "dropped": "dropped", "bỏ": "dropped", "đã bỏ": "dropped",
}  # fmt: skip
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_TEXT = 1000


def write_plan(actions: Sequence[Action], blank_rows: int = 0) -> bytes:
    """The table: one row per action, then ``blank_rows`` empty rows to fill in."""
    book = Workbook()
    add_plan_sheet(book, actions, blank_rows, book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def add_plan_sheet(
    book: Workbook, actions: Sequence[Action], blank_rows: int = 0, sheet: Worksheet | None = None
) -> Worksheet:
    """The Actions sheet in ``book`` (``sheet``, or a new last one): the import format."""
    sheet = sheet if sheet is not None else book.create_sheet()
    sheet.title = SHEET
    sheet.append([header for _key, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for action in actions:
        sheet.append(plan_row(action))
    last = 1 + len(actions) + blank_rows
    for n, (key, _header) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = WIDTHS[key]
    for row in sheet.iter_rows(min_row=2, max_row=max(last, 2)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    status_column = get_column_letter(1 + [k for k, _h in COLUMNS].index("status"))
    choices = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    choices.add(f"{status_column}2:{status_column}{max(last, 200)}")
    sheet.add_data_validation(choices)
    sheet.freeze_panes = "A2"
    sheet.print_options.gridLines = True
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    return sheet


def plan_row(action: Action) -> list[object]:
    """One action as the table's cells, in ``COLUMNS`` order."""
    status_on = {"in_progress": action.started_on, "done": action.done_on,
                 "dropped": action.dropped_on}.get(action.status) or action.agreed_on  # fmt: skip
    return [
        action.id, ", ".join(action.codes), scope_text(scope_from_json(action.scope)),
        action.issue, action.agreed, action.organisation, action.role, action.due_on,
        action.status, status_on, action.evidence,
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Problem:
    sheet: str
    row: int
    column: str  # the letter and header, or '' for the whole file or row
    message: str

    def __str__(self) -> str:
        where = f"sheet {self.sheet!r}, row {self.row}" if self.row else f"sheet {self.sheet!r}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class StatusChange(NamedTuple):
    """A status step and/or an evidence note for an existing action (``storage.actions.Move``)."""

    action_id: int
    status: str
    on: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Plan:
    new: list[NewAction]
    changes: list[StatusChange]
    problems: list[Problem]


class PlanFileError(ValueError):
    """Not a workbook at all, or without the actions sheet."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: object) -> str | None:
    """A cell as YYYY-MM-DD: a date cell, or text written so; None otherwise."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def read_plan(
    data: bytes,
    survey: Survey,
    today: date,
    round_id: str,
    existing: Mapping[int, Action],
) -> Plan:
    """The rows of an action-plan workbook, checked; nothing is written here.

    A row without an id is a new action (every required column, indicator
    codes of the survey, a known scope, a due date not in the past). A row
    with an id updates that action's status (a step forward only) and adds
    its evidence note. Blank rows are skipped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise PlanFileError(f"not an XLSX workbook ({type(error).__name__})") from None
    if SHEET not in book.sheetnames:
        raise PlanFileError(f"no sheet named {SHEET!r} (found: {', '.join(book.sheetnames)})")
    sheet = book[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    problems: list[Problem] = []
    header = [_text(v) for v in (rows[0] if rows else ())]
    expected = [h for _k, h in COLUMNS]
    for n, wanted in enumerate(expected):
        found = header[n] if n < len(header) else ""
        if found != wanted:
            letter = get_column_letter(n + 1)
            problems.append(
                Problem(SHEET, 1, f"{letter}", f"the header must be {wanted!r}, found {found!r}")
            )
    if problems:
        return Plan([], [], problems)
    keys = [k for k, _h in COLUMNS]
    new: list[NewAction] = []
    changes: list[StatusChange] = []
    for number, values in enumerate(rows[1:], start=2):
        cells = dict(zip(keys, list(values) + [None] * len(keys), strict=False))
        if all(_text(v) == "" for v in cells.values()):
            continue

        def problem(key: str, message: str, number: int = number) -> None:
            n = keys.index(key)
            column = f"{get_column_letter(n + 1)} ({COLUMNS[n][1]})"
            problems.append(Problem(SHEET, number, column, message))

        identifier = _text(cells["id"])
        if identifier:
            _read_change(identifier, cells, existing, today, problem, changes)
        else:
            _read_new(cells, survey, today, round_id, problem, new)
    return Plan(new, changes, problems)


def _status(cells: Mapping[str, object], problem, default: str) -> str | None:  # type: ignore[no-untyped-def]
    text = _text(cells["status"]).lower()
    if not text:
        return default
    status = STATUS_WORDS.get(text)
    if status is None:
        problem("status", f"unknown status {text!r}: use {', '.join(STATUSES)}")
    return status


def _read_change(  # type: ignore[no-untyped-def]
    identifier: str, cells, existing: Mapping[int, Action], today: date, problem, changes
) -> None:
    if not identifier.isdigit() or int(identifier) not in existing:
        problem("id", f"no action {identifier!r}: leave the id empty for a new action")
        return
    action = existing[int(identifier)]
    status = _status(cells, problem, action.status)
    if status is None or status == action.status:
        note = _text(cells["evidence"])
        if status is not None and note and note not in action.evidence:
            changes.append(StatusChange(action.id, status, today.isoformat(), note))
        return
    if status not in NEXT[action.status]:
        problem("status", f"action {action.id} is {action.status}: it cannot become {status}")
        return
    on = _date(cells["status_on"]) if _text(cells["status_on"]) else today.isoformat()
    if on is None:
        problem("status_on", "write the date as YYYY-MM-DD")
        return
    if on > today.isoformat():
        problem("status_on", f"{on} is in the future")
        return
    note = _text(cells["evidence"])
    changes.append(StatusChange(action.id, status, on, "" if note in action.evidence else note))


def _read_new(  # type: ignore[no-untyped-def]
    cells, survey: Survey, today: date, round_id: str, problem, new: list[NewAction]
) -> None:
    before = len(new)
    missing = [key for key in REQUIRED if not _text(cells[key])]
    for key in missing:
        problem(key, "this column is required for a new action")
    for key in ("issue", "agreed", "organisation", "role", "evidence"):
        if len(_text(cells[key])) > MAX_TEXT:
            problem(key, f"at most {MAX_TEXT} characters")
            missing.append(key)
    codes = [c for c in re.split(r"[,;\s]+", _text(cells["indicators"])) if c]
    unknown = [c for c in codes if c not in survey.item_by_code]
    if unknown:
        problem("indicators", f"unknown indicator code {', '.join(unknown)} in survey {survey.id}")
    try:
        scope = parse_scope(_text(cells["scope"]), survey)
    except ScopeError as error:
        problem("scope", str(error))
        scope = None
    due = _date(cells["due"]) if _text(cells["due"]) else None
    if _text(cells["due"]) and due is None:
        problem("due", "write the date as YYYY-MM-DD")
    elif due is not None and due < today.isoformat():
        problem("due", f"{due} is in the past")
        due = None
    status = _status(cells, problem, "agreed")
    if status is not None and status != "agreed":
        problem("status", "a new action starts as agreed: import it, then move it on")
        status = None
    if missing or unknown or scope is None or due is None or status is None:
        return
    agreed_on = _date(cells["status_on"]) or today.isoformat()
    new.append(
        NewAction(
            round_id, scope_to_json(scope), _text(cells["issue"]), _text(cells["agreed"]),
            _text(cells["organisation"]), _text(cells["role"]), due, tuple(dict.fromkeys(codes)),
            agreed_on, _text(cells["evidence"]),
        )
    )  # fmt: skip
    assert len(new) == before + 1
