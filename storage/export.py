"""Tidy CSV export: one row per rating, keyed by pseudonymous respondent id.

No Telegram id, name or username ever reaches an export: the only person key
is ``users.pseudonym``, a random string.

Profile columns hold the stored choice ids. For a question that accepts
several choices (the shipped survey's ``group``) the column holds the chosen
ids joined by single spaces in the survey's choice order, e.g.
``women ethnic_minority`` (XLSForm's select_multiple format); ``prefer_not``
is always alone. One column per question keeps the column set stable
whatever people choose; split on spaces to get one row per group.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from storage.database import connect_sync

BASE_COLUMNS = ("respondent_id", "survey_id", "survey_version", "survey_hash", "partner")
RATING_COLUMNS = (
    "sdg", "indicator_code", "kind", "value", "answered_at", "submitted", "mode", "round",
)  # fmt: skip


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula, made plain text.

    As OWASP recommends against CSV injection: a cell starting with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'``. Numbers
    are left alone (a negative number is a number, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_columns(profile_fields: Sequence[str]) -> list[str]:
    return [*BASE_COLUMNS, *profile_fields, *RATING_COLUMNS]


def iter_rating_rows(
    connection: sqlite3.Connection, survey_id: str, profile_fields: Sequence[str]
) -> Iterator[list[object]]:
    """Rows in export order; skipped ratings are not ratings and are left out."""
    profile_sql = ", ".join(
        f"(SELECT choice FROM profile_answers p WHERE p.response_id = r.id"
        f" AND p.question_id = ?) AS profile_{i}"
        for i in range(len(profile_fields))
    )
    sql = (
        "SELECT u.pseudonym, r.survey_id, r.survey_version, r.survey_hash,"
        " COALESCE(i.label, ''), "
        + (profile_sql + ", " if profile_fields else "")
        + " t.sdg, t.item_code, t.kind, t.value, t.answered_at, r.submitted_at IS NOT NULL,"
        " r.mode, r.round_id"
        " FROM ratings t JOIN responses r ON r.id = t.response_id"
        " JOIN users u ON u.id = r.user_id"
        " LEFT JOIN invitations i ON i.code = r.invitation_code"
        " WHERE r.survey_id = ? AND t.skipped = 0"
        " ORDER BY u.pseudonym, t.sdg, t.item_code, t.kind DESC"
    )
    for row in connection.execute(sql, (*profile_fields, survey_id)):
        values = list(row)
        values[-3] = "yes" if values[-3] else "no"
        yield values


def write_ratings_csv(
    database: Path | str, out: TextIO, survey_id: str, profile_fields: Sequence[str]
) -> int:
    """Write the tidy CSV; returns the number of rating rows written."""
    connection = connect_sync(database, read_only=True)
    try:
        writer = csv.writer(out, lineterminator="\n")
        # csv quotes a field with "\n" but not one with a lone "\r", which readers
        # take for the end of the row: such a row is written fully quoted.
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(export_columns(profile_fields))
        count = 0
        for row in iter_rating_rows(connection, survey_id, profile_fields):
            cells = ["" if value is None else spreadsheet_safe(value) for value in row]
            has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
            (quoted if has_cr else writer).writerow(cells)
            count += 1
        return count
    finally:
        connection.close()
