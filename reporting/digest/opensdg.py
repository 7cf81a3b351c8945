"""Export in the Open SDG data format, so citizen data loads beside official series.

One CSV per indicator, named like Open SDG's data files
(``indicator_1-1-1.csv``), with the columns ``Year, Units, Series, Group,
Region, Area, Value``; and the same rows in one long file with a leading
``Indicator`` column. Headline rows (everyone) have empty disaggregation
columns; each other row breaks down by one dimension. The "now" ratings
carry the survey's now year, forecasts the forecast year, each in its own
series; with several rounds, each round's rows carry that round's years. Values are mean ratings on the 1-5 scale; cells with fewer than k
respondents are left out (suppressed), as in the digest, and so are the rows
hidden second so that none of them can be worked out by subtraction
(``reporting.suppression``; "prefer not to say" and unanswered rows are never
shown and protected the same way).

A respondent who chose several groups is in the Group row of each of them
(and in the headline, Region and Area rows once), so the Group rows of an
indicator can hold more people than its headline row, as in the digest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from reporting import suppression
from reporting.digest.analysis import HEADLINE, KINDS, cell_frame, explode, pool
from storage import analytics
from storage.analytics import Cell
from storage.export import spreadsheet_safe
from storage.rounds import rounds_of
from survey.model import Survey

COLUMNS = ["Year", "Units", "Series", "Group", "Region", "Area", "Value"]
UNITS = "Mean rating (1-5)"
SERIES = {
    "now": "Community scorecard rating (citizen-generated)",
    "forecast": "Community scorecard forecast (citizen-generated)",
}
DISAGGREGATIONS = {"group": "Group", "region": "Region", "area": "Area"}


def opensdg_frame(
    survey: Survey, cells: Sequence[Cell], k: int, years: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """``Indicator`` and ``COLUMNS``: per indicator (survey order) and kind, the headline row
    then one row per group, region and area (by choice id); suppressed cells are absent,
    as are "prefer not to say" and unanswered profile values."""
    rows, published, small_items = _pooled(survey, cell_frame(cells), k)
    # Secondary suppression: no hidden row, nor a small "prefer not to say" or
    # unanswered remainder, may follow from the rows left in by subtraction.
    hidden = suppression.indicator_suppression(
        (
            (c.group, c.region, c.area, c.sdg, c.item_code, c.kind, c.rated, c.total, c.dont_know)
            for c in cells
            if c.item_code in small_items  # only these can give a small row away
        ),
        k,
        published,
    )
    keys = zip(rows["dimension"], rows["choice"], rows["item_code"], strict=True)
    rows = _in_survey_order(survey, rows[[key not in hidden for key in keys]])
    return pd.DataFrame(
        {
            "Indicator": rows["item_code"],
            "Year": rows["kind"].map(years or survey.years).astype("int64"),
            "Units": UNITS,
            "Series": rows["kind"].map(SERIES),
            # Labels come from survey files: never let a spreadsheet run one as a formula.
            **{
                column: rows[column].fillna("").map(spreadsheet_safe)
                for column in DISAGGREGATIONS.values()
            },
            # Python's round, as before: numpy's can differ in the last digit.
            "Value": rows["mean"].map(lambda mean: round(mean, 3)),
        }
    )


def _small(pooled: pd.DataFrame, k: int) -> set[str]:
    """Indicators with a row of fewer than k respondents that has answers."""
    answered = pooled["rated"] + pooled["dont_know"] > 0
    return set(pooled.loc[answered & (pooled["respondents"] < k), "item_code"])


def long_csv(survey: Survey, cells: Sequence[Cell], k: int) -> str:
    return opensdg_frame(survey, cells, k).to_csv(index=False, lineterminator="\n")


def write_opensdg(
    database: Path | str, survey: Survey, scope: dict[str, str], k: int, out: Path
) -> list[Path]:
    """Write one file per indicator plus ``opensdg_long.csv`` into ``out``."""
    db = analytics.connect(database)
    try:
        listed = rounds_of(db)
        if len(listed) < 2:
            parts = [(analytics.rating_cells(db, survey.id, scope), None)]
        else:
            # Several rounds: each with its own years, suppressed on its own.
            parts = [
                (
                    analytics.rating_cells(db, survey.id, scope, round_id=r.id),
                    {"now": r.now_year, "forecast": r.forecast_year},
                )
                for r in listed
            ]
    finally:
        db.close()
    out.mkdir(parents=True, exist_ok=True)
    rows = pd.concat(
        [opensdg_frame(survey, cells, k, years) for cells, years in parts], ignore_index=True
    )
    by_indicator = dict(list(rows.groupby("Indicator", sort=False)))
    written = []
    for _section, item in survey.items:
        path = out / f"indicator_{item.code.replace('.', '-')}.csv"
        part = by_indicator.get(item.code, rows.iloc[:0])
        part[COLUMNS].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    long_path = out / "opensdg_long.csv"
    rows.to_csv(long_path, index=False, lineterminator="\n", encoding="utf-8")
    written.append(long_path)
    return written


def _pooled(
    survey: Survey, frame: pd.DataFrame, k: int
) -> tuple[pd.DataFrame, dict[str, set[str]], set[str]]:
    """The headline and disaggregated rows (labelled in English, unpublished choices
    dropped), the choices published per dimension and the indicators with a small row."""
    parts = [
        pool(frame, ["item_code", "kind"], k)
        .reset_index()
        .assign(choice="", split=0, dimension=HEADLINE)
    ]
    published: dict[str, set[str]] = {}
    small_items = _small(parts[0], k)  # remainders included below, before they are dropped
    for split, (dimension, column) in enumerate(DISAGGREGATIONS.items(), start=1):
        question = survey.profile_question(dimension)
        labels = {c.id: c.label("en") for c in question.choices} if question else {}
        published[dimension] = set(labels)
        # Exploded for this dimension only: one row per group a person chose.
        pooled = pool(explode(frame, dimension), ["item_code", "kind", dimension], k)
        pooled = pooled.reset_index()
        small_items |= _small(pooled, k)
        pooled[column] = pooled[dimension].map(labels)
        pooled = pooled.dropna(subset=column).rename(columns={dimension: "choice"})
        parts.append(pooled.assign(split=split, dimension=dimension))
    return pd.concat(parts, ignore_index=True), published, small_items


def _in_survey_order(survey: Survey, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a mean, of the survey's indicators and kinds, in survey order."""
    item_rank = {item.code: rank for rank, (_section, item) in enumerate(survey.items)}
    kind_rank = {kind: rank for rank, kind in enumerate(KINDS)}
    known = rows["item_code"].isin(item_rank) & rows["kind"].isin(kind_rank)
    rows = rows[rows["mean"].notna() & known]
    return rows.assign(
        item_rank=rows["item_code"].map(item_rank), kind_rank=rows["kind"].map(kind_rank)
    ).sort_values(["item_rank", "kind_rank", "split", "choice"])
