"""The shareable export: the tidy CSV made k-anonymous over every profile answer.

Who a respondent is can be worked out from the combination of their profile
answers (an ethnic-minority woman with a disability, over 60, in a remote
village of the south). In this export every combination of the
quasi-identifiers (the invitation's partner label, how the response was
collected, and every profile question: group, region, area, age band,
gender, ...) is shared by at least ``k`` respondents (``digest.min_cell``).

**How.** One record per respondent. Generalising first: ``answered_at`` is
kept to the month (``2026-11``) and respondent ids are renumbered at random
(``A0001`` ...), so the file cannot be joined to the full export or to a
digest's comments. Then, column by column from the least useful (the
partner label, then the collection mode, then the profile questions from the
last asked to the first: gender, age band, area, region, group), the value
is replaced by ``*`` (withheld) for every respondent whose combination is
still shared by fewer than ``k``. A combination that is still too rare at the
end is all ``*``; if fewer than ``k`` respondents share that, the smallest
other combinations are withheld whole until they do; if the whole survey has
fewer than ``k`` respondents, no row is written. ``*`` is a value like any
other: a combination with a ``*`` is counted as written. Free-text comments
are never part of this export (nor of the full one).
"""

from __future__ import annotations

import csv
import random
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from storage.export import export_columns, iter_rating_rows, spreadsheet_safe

WITHHELD = "*"
FIXED = ("partner", "mode")  # quasi-identifiers besides the profile questions


@dataclass(slots=True)
class Summary:
    """What the anonymisation changed, for the person who runs it."""

    k: int
    respondents: int = 0  # in the file
    ratings: int = 0  # rows written
    withheld: dict[str, int] = field(default_factory=dict)  # column -> respondents
    all_withheld: int = 0  # respondents with every quasi-identifier withheld
    left_out: int = 0  # respondents not written (fewer than k in all)

    def lines(self) -> list[str]:
        lines = [
            f"anonymised for k = {self.k}: {self.respondents} respondents,"
            f" {self.ratings} ratings; every combination of profile answers is shared"
            f" by at least {self.k} respondents"
        ]
        for column, count in self.withheld.items():
            if count:
                lines.append(f"  {column}: withheld ('*') for {count} respondents")
        if self.all_withheld:
            lines.append(f"  every profile answer withheld for {self.all_withheld} respondents")
        if self.left_out:
            lines.append(f"  {self.left_out} respondents left out: fewer than {self.k} in all")
        lines.append("  answered_at kept to the month; respondent ids renumbered; no comments")
        return lines


def quasi_identifiers(profile_fields: Sequence[str]) -> list[str]:
    """The columns anonymised, in the order they are withheld: least useful first."""
    return [*FIXED, *reversed(profile_fields)]


def k_anonymise(
    records: dict[str, dict[str, str]], columns: Sequence[str], k: int, summary: Summary
) -> set[str]:
    """Withhold values in ``records`` (respondent -> column -> value) in place until
    every combination of ``columns`` is shared by ``k``; returns respondents to leave out."""

    def combination(respondent: str) -> tuple[str, ...]:
        return tuple(records[respondent][column] for column in columns)

    for column in columns:
        counts = Counter(combination(r) for r in records)
        rare = [r for r in records if counts[combination(r)] < k]
        if not rare:
            break
        changed = 0
        for respondent in rare:
            if records[respondent][column] != WITHHELD:
                records[respondent][column] = WITHHELD
                changed += 1
        summary.withheld[column] = changed
    everything = tuple(WITHHELD for _column in columns)
    counts = Counter(combination(r) for r in records)
    # Rare combinations left are all withheld (each pass withheld them whole): top up
    # that one with the smallest other combinations until k share it.
    for value, _count in sorted(counts.items(), key=lambda item: (item[1], item[0])):
        if value == everything or counts[everything] == 0 or counts[everything] >= k:
            continue
        for respondent in records:
            if combination(respondent) == value:
                for column in columns:
                    records[respondent][column] = WITHHELD
        counts[everything] += counts.pop(value)
    summary.all_withheld = sum(1 for r in records if combination(r) == everything)
    if 0 < summary.all_withheld < k:
        summary.left_out = summary.all_withheld
        summary.all_withheld = 0
        return {r for r in records if combination(r) == everything}
    return set()


def write_anonymised_csv(
    database: Path | str,
    out: TextIO,
    survey_id: str,
    profile_fields: Sequence[str],
    k: int,
    seed: int | None = None,
) -> Summary:
    """Write the tidy CSV, k-anonymised (module doc); returns what was changed."""
    columns = export_columns(profile_fields)
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = [
            dict(zip(columns, ("" if v is None else v for v in row), strict=True))
            for row in iter_rating_rows(connection, survey_id, profile_fields)
        ]
    finally:
        connection.close()
    quasi = quasi_identifiers(profile_fields)
    records = {row["respondent_id"]: {c: str(row[c]) for c in quasi} for row in rows}
    summary = Summary(k, withheld=dict.fromkeys(quasi, 0))
    left_out = k_anonymise(records, quasi, k, summary)
    kept = [r for r in records if r not in left_out]
    random.Random(seed).shuffle(kept)
    width = max(4, len(str(len(kept))))
    new_ids = {old: f"A{number:0{width}d}" for number, old in enumerate(kept, start=1)}
    writer = csv.writer(out, lineterminator="\n")
    # As the full export: a lone "\r" ends a row for readers unless the row is quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    written = []
    for row in rows:
        respondent = row["respondent_id"]
        if respondent not in new_ids:
            continue
        row = {**row, **records[respondent], "respondent_id": new_ids[respondent]}
        row["answered_at"] = str(row["answered_at"])[:7]
        written.append(row)
    written.sort(key=lambda row: row["respondent_id"])
    for row in written:
        cells = [spreadsheet_safe(row[column]) for column in columns]
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (quoted if has_cr else writer).writerow(cells)
    summary.respondents = len(kept)
    summary.ratings = len(written)
    return summary
