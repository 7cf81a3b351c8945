"""Export in the Open SDG data format, so citizen data loads beside official series.

One CSV per indicator, named like Open SDG's data files
(``indicator_1-1-1.csv``), with the columns ``Year, Units, Series, Group,
Region, Area, Value``; and the same rows in one long file with a leading
``Indicator`` column. Headline rows (everyone) have empty disaggregation
columns; each other row breaks down by one dimension. The "now" ratings
carry the survey's now year, forecasts the forecast year, each in its own
series. Values are mean ratings on the 1-5 scale; cells with fewer than k
respondents are left out (suppressed), as in the digest.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from conversations.survey import Survey
from storage import analytics
from storage.analytics import Cell

COLUMNS = ("Year", "Units", "Series", "Group", "Region", "Area", "Value")
UNITS = "Mean rating (1-5)"
SERIES = {
    "now": "Community scorecard rating (citizen-generated)",
    "forecast": "Community scorecard forecast (citizen-generated)",
}
DISAGGREGATIONS = {"group": "Group", "region": "Region", "area": "Area"}


def _label(survey: Survey, dimension: str, choice: str) -> str | None:
    question = survey.profile_question(dimension)
    for option in question.choices if question else []:
        if option.id == choice:
            return option.label("en")
    return None  # prefer_not and unanswered are not published as categories


def opensdg_rows(survey: Survey, cells: list[Cell], k: int) -> Iterator[tuple[str, list[object]]]:
    """(indicator code, row) in indicator order; suppressed cells are absent."""
    headline = analytics.pooled_means(cells, lambda c: (c.item_code, c.kind), k)
    split = {
        dimension: analytics.pooled_means(
            cells, lambda c, d=dimension: (c.item_code, c.kind, c.dimension(d)), k
        )
        for dimension in DISAGGREGATIONS
    }
    for _section, item in survey.items:
        for kind in ("now", "forecast"):
            year, series = survey.years[kind], SERIES[kind]
            mean = headline.get((item.code, kind))
            if mean is not None and mean.mean is not None:
                yield item.code, [year, UNITS, series, "", "", "", round(mean.mean, 3)]
            for dimension, column in DISAGGREGATIONS.items():
                for (code, cell_kind, choice), cell in sorted(split[dimension].items()):
                    label = _label(survey, dimension, choice)
                    if code != item.code or cell_kind != kind or label is None:
                        continue
                    if cell.mean is None:
                        continue
                    values = {"Group": "", "Region": "", "Area": ""}
                    values[column] = label
                    yield (
                        item.code,
                        [
                            year,
                            UNITS,
                            series,
                            values["Group"],
                            values["Region"],
                            values["Area"],
                            round(cell.mean, 3),
                        ],
                    )


def long_csv(survey: Survey, cells: list[Cell], k: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Indicator", *COLUMNS])
    for code, row in opensdg_rows(survey, cells, k):
        writer.writerow([code, *row])
    return out.getvalue()


def write_opensdg(
    database: Path | str, survey: Survey, scope: dict[str, str], k: int, out: Path
) -> list[Path]:
    """Write one file per indicator plus ``opensdg_long.csv`` into ``out``."""
    db = analytics.connect(database)
    try:
        cells = analytics.rating_cells(db, survey.id, scope)
    finally:
        db.close()
    out.mkdir(parents=True, exist_ok=True)
    by_indicator: dict[str, list[list[object]]] = {}
    for code, row in opensdg_rows(survey, cells, k):
        by_indicator.setdefault(code, []).append(row)
    written = []
    for _section, item in survey.items:
        path = out / f"indicator_{item.code.replace('.', '-')}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(by_indicator.get(item.code, []))
        written.append(path)
    long_path = out / "opensdg_long.csv"
    long_path.write_text(long_csv(survey, cells, k), encoding="utf-8")
    written.append(long_path)
    return written
