"""Export in the Open SDG data format, so citizen data loads beside official series.

One CSV per indicator, named like Open SDG's data files
(``indicator_1-1-1.csv``), with the columns ``Year, Units, Series, Group,
Region, Area, Value``; and the same rows in one long file with a leading
``Indicator`` column. Headline rows (everyone) have empty disaggregation
columns; each other row breaks down by one dimension. The "now" ratings
carry the survey's now year, forecasts the forecast year, each in its own
series; each round's rows carry that round's years. Values are mean ratings
on the 1-5 scale, rounded as everywhere (two decimals), read from each
round's protected publication (``reporting.publication``): a row the digest
hides (too few people, or hidden so that none can be worked out) is absent
here too, and "prefer not to say" and unanswered rows are never written.
Indicators with an action plan get an Open SDG metadata file, ``meta/1-1-1.md``,
listing each action and its status (issue 20).

A respondent who chose several groups is in the Group row of each of them
(and in the headline, Region and Area rows once), so the Group rows of an
indicator can hold more people than its headline row, as in the digest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from locales.numbers import half_up_array
from reporting import publication
from reporting.digest.analysis import KINDS, MEAN_DECIMALS, SUMS, cell_frame, explode
from reporting.digest.views import row_states, view_cells
from reporting.publication import Publication, View
from reporting.quality import DESIGNED_BY, front_matter
from reporting.release import Release, load_release
from storage import actions as stored_actions
from storage import analytics
from storage.actions import Action
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
    survey: Survey, published: Publication, view: View, years: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """``Indicator`` and ``COLUMNS``: per indicator (survey order) and kind, the headline row
    then one row per group, region and area (by choice id) of a published view; hidden
    rows are absent, as are "prefer not to say" and unanswered profile values."""
    rows = _in_survey_order(survey, _pooled(survey, published, view))
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
            "Value": rows["mean"],
        }
    )


def long_csv(database: Path | str, survey: Survey, scope: Mapping[str, str], k: int) -> str:
    """The current round's long file for ``scope`` (the chat's /export opensdg)."""
    with analytics.snapshot(database) as db:
        listed = rounds_of(db)
        current = next((r for r in listed if r.is_open), listed[-1] if listed else None)
        published = publication.load(db, survey.id, current.id if current else "", k)
    years = {"now": current.now_year, "forecast": current.forecast_year} if current else None
    frame = opensdg_frame(survey, published, View.of(scope), years)
    return frame.to_csv(index=False, lineterminator="\n")


def write_opensdg(
    database: Path | str,
    survey: Survey,
    scope: dict[str, str],
    k: int,
    out: Path,
    designed_by: str = DESIGNED_BY,
) -> list[Path]:
    """Write one file per indicator plus ``opensdg_long.csv`` into ``out``: every round;
    and ``meta/1-1-1.md`` per indicator, the release's quality statement as metadata."""
    with analytics.snapshot(database) as db:
        release = load_release(db, survey, k, designed_by)
        agreed = [
            a for a in stored_actions.actions_of(db)
            if all(json.loads(a.scope or "{}").get(d) == c for d, c in scope.items())
        ]  # fmt: skip
    return write_release(survey, release, scope, out, agreed)


def write_release(
    survey: Survey,
    release: Release,
    scope: Mapping[str, str],
    out: Path,
    agreed: Sequence[Action] = (),
) -> list[Path]:
    """``write_opensdg`` from a release already read (and the scope's actions)."""
    parts, quality = release.parts, release.quality
    out.mkdir(parents=True, exist_ok=True)
    view = View.of(scope)
    rows = pd.concat(
        [opensdg_frame(survey, published, view, years) for published, years in parts],
        ignore_index=True,
    )
    by_indicator = dict(list(rows.groupby("Indicator", sort=False)))
    written = []
    for _section, item in survey.items:
        path = out / f"indicator_{item.code.replace('.', '-')}.csv"
        part = by_indicator.get(item.code, rows.iloc[:0])
        part[COLUMNS].to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(path)
    (out / "meta").mkdir(exist_ok=True)
    actions = _action_metadata(survey, agreed)
    for _section, item in survey.items:
        meta = out / "meta" / f"{item.code.replace('.', '-')}.md"
        text = front_matter(quality, item.code)
        if item.code in actions:  # the actions join the quality statement's front matter
            text = text.replace("\n---\n", "\n" + actions[item.code] + "---\n", 1)
        meta.write_text(text, encoding="utf-8")
        if item.code in actions:
            written.append(meta)
    long_path = out / "opensdg_long.csv"
    rows.to_csv(long_path, index=False, lineterminator="\n", encoding="utf-8")
    written.append(long_path)
    return written


def _action_metadata(survey: Survey, agreed: Sequence[Action]) -> dict[str, str]:
    """Open SDG metadata (YAML front matter lines) for each indicator with an action:
    what was agreed, who is responsible, by when, and its status."""
    by_code: dict[str, list[Action]] = {}
    for action in agreed:
        for code in action.codes:
            if code in survey.item_by_code:
                by_code.setdefault(code, []).append(action)
    found = {}
    for code, listed in by_code.items():
        lines = ["community_actions:"]
        for a in listed:
            lines += [
                f"  - id: {a.id}",
                f"    agreed: {json.dumps(a.agreed, ensure_ascii=False)}",
                f"    organisation: {json.dumps(a.organisation, ensure_ascii=False)}",
                f"    due: {a.due_on}",
                f"    status: {a.status}",
                f"    agreed_on: {a.agreed_on}",
            ]
            lines += [f"    {name}: {day}" for name, day in (
                ("started_on", a.started_on), ("done_on", a.done_on), ("dropped_on", a.dropped_on)
            ) if day]  # fmt: skip
        found[code] = "\n".join(lines) + "\n"
    return found


def _means(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    pooled = frame.groupby(keys)[SUMS].sum().reset_index()
    mean = half_up_array(pooled["total"] / pooled["rated"], MEAN_DECIMALS)
    return pooled.assign(mean=mean.where(pooled["rated"] > 0))


def _pooled(survey: Survey, published: Publication, view: View) -> pd.DataFrame:
    """The headline and disaggregated rows of the view (labelled in English), hidden
    and unpublished (prefer not, unanswered) rows dropped."""
    if published.view_status(view) is not None:
        columns = ["item_code", "kind", "mean", "split", "choice", *DISAGGREGATIONS.values()]
        return pd.DataFrame(columns=columns)
    frame = cell_frame(view_cells(published, view))
    states = row_states(published, view)
    headline = _means(frame, ["item_code", "kind"]).assign(choice="", split=0)
    # A view can be published with its own row hidden (to protect another), and a
    # shown row with an indicator's mean hidden (too few rated it, or to protect).
    parts = [headline[[states("all", "", code).shown for code in headline["item_code"]]]]
    for split, (dimension, column) in enumerate(DISAGGREGATIONS.items(), start=1):
        question = survey.profile_question(dimension)
        labels = {c.id: c.label("en") for c in question.choices} if question else {}
        # Exploded for this dimension only: one row per group a person chose.
        pooled = _means(explode(frame, dimension), ["item_code", "kind", dimension])
        shown = [
            states(dimension, choice, code).shown
            for choice, code in zip(pooled[dimension], pooled["item_code"], strict=True)
        ]
        pooled = pooled[shown]
        pooled[column] = pooled[dimension].map(labels)
        pooled = pooled.dropna(subset=[column]).rename(columns={dimension: "choice"})
        parts.append(pooled.assign(split=split))
    return pd.concat(parts, ignore_index=True)


def _in_survey_order(survey: Survey, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a mean, of the survey's indicators and kinds, in survey order."""
    item_rank = {item.code: rank for rank, (_section, item) in enumerate(survey.items)}
    kind_rank = {kind: rank for rank, kind in enumerate(KINDS)}
    known = rows["item_code"].isin(item_rank) & rows["kind"].isin(kind_rank)
    rows = rows[rows["mean"].notna() & known]
    return rows.assign(
        item_rank=rows["item_code"].map(item_rank), kind_rank=rows["kind"].map(kind_rank)
    ).sort_values(["item_rank", "kind_rank", "split", "choice"])
