"""The pack as XLSX: the same tables as the PDF, and the Actions sheet to fill in
(the import format of ``scorecard-bot actions import``)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from reporting.actions.plan import add_plan_sheet
from reporting.digest.text import too_small_note
from reporting.meeting.content import Pack
from reporting.meeting.labels import labels
from reporting.meeting.pdf import BLANK_ROWS


def _sheet(book: Workbook, title: str, head: list[str], rows: list[list[object]]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for n, width in enumerate([10, 60, 12, 12, 12][: len(head)]):
        sheet.column_dimensions[chr(ord("A") + n)].width = width


def render_workbook(pack: Pack) -> bytes:
    words = labels(pack.language)
    book = Workbook()
    summary = book.active
    summary.title = words.title[:31]
    summary.append([words.title])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in ((words.round, pack.round_title), (words.scope, pack.scope_label),
                         (words.made, pack.made_on), (words.people, pack.people)):  # fmt: skip
        summary.append([label, value if value is not None else f"<{pack.analysis.k}"])
    if pack.refusal is not None:
        summary.append([too_small_note(pack.analysis.k, pack.language, pack.refusal)])
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 40
    _sheet(book, words.lowest, [words.code, words.statement, words.goal, words.now, words.forecast],
           [[x.code, x.statement, x.goal, x.now, x.forecast] for x in pack.lowest])  # fmt: skip
    _sheet(book, words.gaps,
           [words.goal, words.dimension, words.highest, words.now, words.lowest_group, words.now,
            words.gap],
           [[g.goal, words.dimensions[g.dimension], g.high, g.high_mean, g.low, g.low_mean, g.gap]
            for g in pack.gaps])  # fmt: skip
    _sheet(book, words.providers,
           [words.code, words.statement, words.community, words.provider, words.gap],
           [[p.code, p.statement, p.community, p.providers, p.gap] for p in pack.providers])  # fmt: skip
    _sheet(book, words.said, [words.goal, words.said], [[c.goal, c.text] for c in pack.comments])
    _sheet(book, words.priorities, [words.goal], [[goal] for goal in pack.priorities])
    if pack.changes:
        _sheet(book, words.changes,
               ["#", words.code, words.before, words.now, words.change,
                f"{words.provider}: {words.before}", f"{words.provider}: {words.now}"],
               [[r.action_id, r.code, r.before, r.now, r.change, r.providers_before,
                 r.providers_now] for r in pack.changes])  # fmt: skip
    add_plan_sheet(book, pack.actions, BLANK_ROWS)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
