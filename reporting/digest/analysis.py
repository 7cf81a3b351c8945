"""The report's analysis for one survey, time window and scope.

Means are over every rating stored when the analysis runs (respondents can
only rate after consenting), finished or not; the window only counts what is
new (responses started and completed, comments). Skips are not ratings;
"don't know" answers count in the don't-know share, never in a mean.

SQLite does the heavy lifting (``rating_totals``: running sums per indicator,
kind and group/region/area cell); pandas pools those few thousand rows into
the report's tables. The tables are DataFrames (``Analysis.goal_table``,
``indicator_table``, ``breakdown_table``) read by the workbook and charts;
the row objects (``GoalRow``, ``IndicatorRow``, ``Mean``) are derived from
them for the text. Suppression is a boolean column per kind: a suppressed
cell has no mean, share, growth or gap anywhere.

Overlapping groups: a cell's group may be a combination (``"women
ethnic_minority"``, see ``storage.analytics``). Breakdowns ``explode`` it, so
such a respondent counts in each group chosen, and each exploded group is
suppressed on its own respondents. Totals (goals, indicators) pool the
cells as stored, so nobody counts twice there; the group counts of a goal
can therefore add up to more than its total.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from locales.numbers import half_up, half_up_array
from reporting import means, publication
from reporting.digest.providers import ProviderGap, provider_gaps
from reporting.digest.reference import Reference, ReferencePoint
from reporting.digest.rescoring import Rescore, since_meeting
from reporting.digest.views import RowStates, protected_progress, row_states, view_cells
from reporting.means import Mean
from reporting.publication import Publication, View
from reporting.quality import DESIGNED_BY, QualityStatement, statement
from storage import actions as stored_actions
from storage import analytics, versions
from storage.actions import Action
from storage.analytics import Cell, Comment, Progress, SessionRecord
from storage.publication import round_moments
from storage.rounds import Round, rounds_of
from survey.model import Official, Survey, survey_versions_from

BREAKDOWNS = ("group", "region", "area")
KINDS = ("now", "forecast")
CELL_COLUMNS = [
    "group", "region", "area", "sdg", "item_code", "kind", "rated", "total", "dont_know",
]  # fmt: skip
LABELS = ("group", "region", "area", "item_code", "kind")
SUMS = ["rated", "total", "dont_know"]
HEADLINE = "all"  # the dimension of everyone's rows while pooling
# Per kind, prefixed ``now_`` / ``forecast_`` in the goal and indicator tables.
MEAN_COLUMNS = ["mean", "rated", "respondents", "dont_know", "dont_know_share", "suppressed"]


def cell_frame(cells: Sequence[Cell]) -> pd.DataFrame:
    """``rating_totals`` rows as a DataFrame with ``CELL_COLUMNS``."""
    rows = [
        (c.group, c.region, c.area, c.sdg, c.item_code, c.kind, c.rated, c.total, c.dont_know)
        for c in cells
    ]
    columns = list(zip(*rows, strict=True)) or [()] * len(CELL_COLUMNS)
    # Plain object columns for labels: built and grouped faster than pandas' string dtype.
    return pd.DataFrame(
        {
            name: np.array(values, dtype=object if name in LABELS else np.int64)
            for name, values in zip(CELL_COLUMNS, columns, strict=True)
        }
    )


def _ids(value: str) -> list[str]:
    """A profile value's choice ids; unanswered ('') stays one row of its own."""
    return analytics.chosen(value) or [""]


def explode(cells: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per choice id in ``column``: a cell of ``"women ethnic_minority"``
    becomes a ``women`` row and an ``ethnic_minority`` row with the same sums.

    Only for pooling one breakdown by ``column``: pooling exploded rows by any
    other key would count a respondent once per group chosen.
    """
    values = cells[column]
    if not values.str.contains(" ", regex=False).any():
        return cells  # single choices everywhere: nothing to split (the usual case)
    exploded = cells.assign(**{column: values.map(_ids)}).explode(column)
    return exploded.reset_index(drop=True)


MEAN_DECIMALS = 2  # every mean leaves the publication rounded: no count behind it shows
SHARE_DECIMALS = 3


def _means(
    by_item: pd.DataFrame, keys: list[str], k: int, hidden: set[tuple[object, ...]] | None = None
) -> pd.DataFrame:
    """Pool per-indicator sums (indexed by ``keys`` + indicator and kind) by ``keys``."""
    grouped = by_item.groupby(level=keys)
    pooled = grouped[SUMS].sum()
    pooled["respondents"] = grouped["rated"].max()
    return _masked(pooled, k, hidden)


def _masked(
    pooled: pd.DataFrame, k: int, hidden: set[tuple[object, ...]] | None = None
) -> pd.DataFrame:
    """Means and don't-know shares of summed cells; suppressed below ``k`` respondents
    and where the index without its last level (the kind) is in ``hidden``."""
    pooled["suppressed"] = pooled["respondents"] < k
    if hidden:
        rows = pooled.index.droplevel(-1)
        pooled["suppressed"] |= np.fromiter((key in hidden for key in rows), bool, len(rows))
    return _with_means(pooled)


def _with_means(pooled: pd.DataFrame) -> pd.DataFrame:
    """Rounded means and shares where ``suppressed`` is False and someone answered."""
    shown = ~pooled["suppressed"]
    mean = half_up_array(pooled["total"] / pooled["rated"], MEAN_DECIMALS)
    pooled["mean"] = mean.where(shown & (pooled["rated"] > 0))
    answers = pooled["rated"] + pooled["dont_know"]
    share = half_up_array(pooled["dont_know"] / answers, SHARE_DECIMALS)
    pooled["dont_know_share"] = share.where(shown & (answers > 0))
    return pooled[MEAN_COLUMNS]


def _published(by_item: pd.DataFrame, keys: list[str], states: RowStates) -> pd.DataFrame:
    """Pool like ``_means``, with respondents and suppression from the publication's
    rows: (dimension, choice) of each pooled row (``HEADLINE`` for the view's own)."""
    grouped = by_item.groupby(level=keys)
    pooled = grouped[SUMS].sum()
    # Each pooled row is one mean (a goal's or an indicator's) of one publication row.
    rows = [
        states(dimension, choice, what if isinstance(what, str) else int(what))
        for dimension, choice, what, *_rest in pooled.index
    ]
    pooled["respondents"] = np.array([row.people for row in rows], dtype=np.int64)
    pooled["suppressed"] = np.array([not row.shown for row in rows], dtype=bool)
    return _with_means(pooled)


def pool(cells: pd.DataFrame, keys: list[str], k: int) -> pd.DataFrame:
    """Pool cells by ``keys`` into means, suppressing those with fewer than ``k`` respondents.

    Respondents behind a pooled mean are counted as those who rated its
    best-covered indicator (and kind): exact for one indicator, a lower bound
    otherwise (see ``storage.analytics``). Returns one row per key with
    ``MEAN_COLUMNS`` (mean and share NaN when suppressed or when nobody
    answered), indexed by ``keys``, sorted.
    """
    item_keys = list(dict.fromkeys([*keys, "item_code", "kind"]))
    return _means(cells.groupby(item_keys, sort=False)[SUMS].sum(), keys, k)


def _by_kind(pooled: pd.DataFrame, key: str, order: list[object]) -> pd.DataFrame:
    """Means indexed by (key, kind) as one row per key of ``order`` with ``now_*`` and
    ``forecast_*`` columns; a key nobody answered is suppressed, with zero counts."""
    full = pooled.reindex(pd.MultiIndex.from_product([order, KINDS], names=[key, "kind"]))
    missing = full["rated"].isna()
    counts = ["rated", "respondents", "dont_know"]
    full[counts] = full[counts].fillna(0).astype("int64")
    full["suppressed"] = missing | full["suppressed"].eq(True)
    return pd.concat([full.xs(kind, level="kind").add_prefix(f"{kind}_") for kind in KINDS], axis=1)


def _with_change(table: pd.DataFrame, years: int) -> pd.DataFrame:
    """Growth in percent and points per year; NaN when either mean is hidden or absent."""
    difference = table["forecast_mean"] - table["now_mean"]
    table["growth_percent"] = 100.0 * difference / table["now_mean"]
    table["points_per_year"] = difference / years
    table["change_suppressed"] = table["now_suppressed"] | table["forecast_suppressed"]
    return table


@dataclass(frozen=True, slots=True)
class Tables:
    """The report's tables; column meanings in ``tables``."""

    goals: pd.DataFrame
    indicators: pd.DataFrame
    breakdowns: pd.DataFrame


def tables(
    survey: Survey, cells: pd.DataFrame, levels: Mapping[int, Official], states: RowStates
) -> Tables:
    """Pool ``cell_frame`` rows (one view's) into the report's tables.

    - ``goals``: one row per goal (survey order): ``sdg``, ``section_id``,
      ``now_*`` and ``forecast_*`` (``MEAN_COLUMNS``), ``growth_percent``,
      ``points_per_year``, ``change_suppressed``, ``official_level``,
      ``official_source``, ``gap`` (mean now minus the official level).
    - ``indicators``: one row per indicator (survey order): ``code``, ``sdg``,
      the same per-kind and change columns.
    - ``breakdowns``: one row per dimension, choice, goal and kind present, in
      display order (dimension, choice as ``_choice_order``, goal, now first):
      ``dimension``, ``choice``, ``sdg``, ``kind`` and ``MEAN_COLUMNS``.

    Respondents are the people of each row and a row is suppressed where the
    publication hides it (``states``): one decision per group of people, the
    same in every output. The cells are stacked once for everyone (dimension
    ``HEADLINE``) and once per dimension, then pooled in one pass. Each
    dimension's copy is ``explode``d: a respondent counts once in each group
    they chose, while the headline copy keeps one row per stored cell, so
    totals count them once.
    """
    by_item = _by_item(survey, cells)
    pooled = _published(by_item, ["dimension", "choice", "sdg", "kind"], states)
    everyone = pooled.index.get_level_values("dimension") == HEADLINE
    years = survey.years["forecast"] - survey.years["now"]
    return Tables(
        _goal_table(survey, pooled[everyone], levels, years),
        _indicator_table(survey, by_item, states, years),
        _breakdown_table(survey, pooled[~everyone]),
    )


def _by_item(survey: Survey, cells: pd.DataFrame) -> pd.DataFrame:
    """The cells' sums per dimension, choice, goal, kind and indicator: stacked once for
    everyone and once per (exploded) dimension, the survey's goals and kinds only."""
    goal_rank = {section.sdg: rank for rank, section in enumerate(survey.sections)}
    kind_rank = {kind: rank for rank, kind in enumerate(KINDS)}
    columns = ["sdg", "item_code", "kind", *SUMS]
    cells = cells[cells["sdg"].isin(goal_rank) & cells["kind"].isin(kind_rank)]
    stacked = pd.concat(
        [cells[columns].assign(choice="")]
        + [
            explode(cells[[dimension, *columns]], dimension).rename(columns={dimension: "choice"})
            for dimension in BREAKDOWNS
        ],
        keys=[HEADLINE, *BREAKDOWNS],
        names=["dimension", None],
    ).reset_index("dimension")
    return stacked.groupby(["dimension", "choice", "sdg", "kind", "item_code"], sort=False)[
        SUMS
    ].sum()


def _goal_table(
    survey: Survey, pooled: pd.DataFrame, levels: Mapping[int, Official], years: int
) -> pd.DataFrame:
    """``tables``' goals from everyone's pooled rows, with the official levels and gaps."""
    order = [section.sdg for section in survey.sections]
    goals = pooled.droplevel(["dimension", "choice"])
    goals = _with_change(_by_kind(goals, "sdg", order), years)
    goals.insert(0, "section_id", [section.id for section in survey.sections])
    official = [levels.get(sdg) for sdg in order]
    goals["official_level"] = [np.nan if o is None else o.level for o in official]
    goals["official_source"] = [None if o is None else o.source for o in official]
    goals["gap"] = goals["now_mean"] - goals["official_level"]
    return goals.reset_index()


def _indicator_table(
    survey: Survey, by_item: pd.DataFrame, states: RowStates, years: int
) -> pd.DataFrame:
    """``tables``' indicators from everyone's sums per indicator: the view's own row."""
    items = by_item[by_item.index.get_level_values("dimension") == HEADLINE]
    items = items.reorder_levels(["dimension", "choice", "item_code", "kind", "sdg"])
    items = _published(items, ["dimension", "choice", "item_code", "kind"], states)
    items = items.droplevel(["dimension", "choice"])
    order = [item.code for _section, item in survey.items]
    items = _by_kind(items, "code", order)
    items = _with_change(items, years)
    items.insert(0, "sdg", [section.sdg for section, _item in survey.items])
    return items.reset_index()


def _breakdown_table(survey: Survey, pooled: pd.DataFrame) -> pd.DataFrame:
    """``tables``' breakdowns from the dimensions' pooled rows, in display order."""
    goal_rank = {section.sdg: rank for rank, section in enumerate(survey.sections)}
    kind_rank = {kind: rank for rank, kind in enumerate(KINDS)}
    breakdowns = pooled.reset_index()
    choice_rank: dict[tuple[str, str], int] = {}
    for dimension in BREAKDOWNS:
        present = set(breakdowns.loc[breakdowns["dimension"] == dimension, "choice"])
        choices = _choice_order(survey, dimension, present)
        choice_rank.update({(dimension, c): rank for rank, c in enumerate(choices)})
    dimension_rank = {dimension: rank for rank, dimension in enumerate(BREAKDOWNS)}
    keys = breakdowns["dimension"], breakdowns["choice"]
    display = np.lexsort(
        (
            breakdowns["kind"].map(kind_rank).to_numpy(),
            breakdowns["sdg"].map(goal_rank).to_numpy(),
            [choice_rank[key] for key in zip(*keys, strict=True)],
            breakdowns["dimension"].map(dimension_rank).to_numpy(),
        )
    )
    return breakdowns.take(display).reset_index(drop=True)


def _choice_order(survey: Survey, dimension: str, present: set[str]) -> list[str]:
    """Choices in survey order, then prefer_not and unanswered (''), then any others."""
    question = survey.profile_question(dimension)
    order = [c.id for c in question.choices] if question else []
    order += ["prefer_not", ""]
    return [c for c in order if c in present] + sorted(present - set(order))


@dataclass(frozen=True, slots=True)
class Change:
    """Forecast against now: growth in percent and in points per year."""

    percent: float | None
    per_year: float | None


@dataclass(frozen=True, slots=True)
class GoalRow:
    sdg: int
    section_id: str
    now: Mean
    forecast: Mean
    change: Change
    official: Official | None
    gap: float | None  # citizens' mean now minus the official level


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    code: str
    sdg: int
    now: Mean
    forecast: Mean
    change: Change


def _value(value: object) -> float | None:
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _mean(row: Mapping[str, object], prefix: str = "") -> Mean:
    return Mean(
        _value(row[prefix + "mean"]),
        int(row[prefix + "rated"]),  # type: ignore[call-overload]
        int(row[prefix + "respondents"]),  # type: ignore[call-overload]
        int(row[prefix + "dont_know"]),  # type: ignore[call-overload]
        bool(row[prefix + "suppressed"]),
    )


def _change(row: Mapping[str, object]) -> Change:
    return Change(_value(row["growth_percent"]), _value(row["points_per_year"]))


def _goal_rows(table: pd.DataFrame, levels: Mapping[int, Official]) -> list[GoalRow]:
    return [
        GoalRow(
            int(row["sdg"]),
            str(row["section_id"]),
            _mean(row, "now_"),
            _mean(row, "forecast_"),
            _change(row),
            levels.get(int(row["sdg"])),
            _value(row["gap"]),
        )
        for row in table.to_dict("records")
    ]


def _indicator_rows(table: pd.DataFrame) -> list[IndicatorRow]:
    return [
        IndicatorRow(
            str(row["code"]),
            int(row["sdg"]),
            _mean(row, "now_"),
            _mean(row, "forecast_"),
            _change(row),
        )
        for row in table.to_dict("records")
    ]


def _breakdown_means(table: pd.DataFrame) -> dict[str, dict[tuple[str, int, str], Mean]]:
    """dimension -> (choice, sdg, kind) -> Mean, in the table's order."""
    result: dict[str, dict[tuple[str, int, str], Mean]] = {d: {} for d in BREAKDOWNS}
    for row in table.to_dict("records"):
        result[row["dimension"]][(row["choice"], int(row["sdg"]), row["kind"])] = _mean(row)
    return result


@dataclass(slots=True)
class Analysis:
    """Everything a digest shows: the tables, their rows for the text, and the
    comments, sessions and versions beside them.

    One class over 60 lines: it is the one record the text, workbook and charts
    all read, and its methods are the small views of it they share.
    """

    survey: Survey
    scope: dict[str, str]
    start: datetime
    end: datetime
    k: int
    progress: Progress
    goal_table: pd.DataFrame  # Tables.goals
    indicator_table: pd.DataFrame  # Tables.indicators
    breakdown_table: pd.DataFrame  # Tables.breakdowns
    goals: list[GoalRow]  # goal_table's rows
    indicators: list[IndicatorRow]  # indicator_table's rows
    # breakdown_table's rows: dimension -> (choice, sdg, kind) -> Mean
    breakdowns: dict[str, dict[tuple[str, int, str], Mean]]
    comments: list[Comment] = field(default_factory=list)
    # Only responses collected this way (self, interview, paper); None is all.
    mode: str | None = None
    # Group sessions: their own records, reported beside (never in) the means above.
    sessions: list[SessionRecord] = field(default_factory=list)

    # Fewer than k people in the whole scope: nothing but that is shown (see ``analyse``).
    too_small: bool = False
    # The survey versions the submitted responses were given on (oldest first),
    # and the indicator codes only some of them hold: items are matched by code.
    versions: list[str] = field(default_factory=list)
    partial_items: list[str] = field(default_factory=list)
    # With several rounds, the means above are the current round's, and this is
    # the previous round's per goal (None where fewer than k rated it).
    previous_round: Reference | None = None
    # Why the publication refuses this view (``reporting.publication``), None if shown.
    refusal: str | None = None
    round_title: str = ""  # the round the numbers are of ('' before any round)
    # The release's quality statement (who, how, coverage, disclosure) for this view.
    quality: QualityStatement | None = None
    # Re-scoring: each indicator of an action agreed in an earlier round, then and now.
    since_meeting: list[Rescore] = field(default_factory=list)
    # Service providers' own means beside the community's (never in them), and why
    # they are not shown when there are providers but too few.
    providers: list[ProviderGap] = field(default_factory=list)
    providers_refusal: str | None = None
    # The actions agreed in the scope (or a narrower one), for the workbook.
    actions: list[Action] = field(default_factory=list)

    def session_goal_means(self) -> dict[tuple[int, str], tuple[float, int]]:
        """(goal, kind) -> (mean, sessions): each session's mean of its indicator
        scores in the goal, then the plain mean over sessions (one session, one
        weight, whatever its size); sessions without a score in the goal are out,
        and so are the votes of sessions of fewer than k people."""
        per_session: dict[tuple[int, str], list[float]] = {}
        for record in self.sessions:
            scores: dict[tuple[int, str], list[float]] = {}
            for score in record.scores:
                # A small session's votes are hidden (the workbook's Sessions sheet):
                # a goal score holding them would give them back by subtraction.
                if score.method == "votes" and record.people < self.k:
                    continue
                if score.mean is not None:
                    scores.setdefault((score.sdg, score.kind), []).append(score.mean)
            for key, values in scores.items():
                per_session.setdefault(key, []).append(sum(values) / len(values))
        return {
            key: (half_up(sum(v) / len(v), MEAN_DECIMALS), len(v)) for key, v in per_session.items()
        }

    @property
    def years(self) -> int:
        return self.survey.years["forecast"] - self.survey.years["now"]

    @property
    def completion_rate(self) -> float | None:
        started, completed = self.progress.started, self.progress.completed
        if not started or completed is None:
            return None
        return completed / started

    @property
    def median_minutes(self) -> float | None:
        median = means.sequence_median(self.progress.durations)
        return None if median is None else median / 60.0

    def ranked_indicators(self) -> list[IndicatorRow]:
        """Indicators with a shown mean now, lowest first."""
        shown = [row for row in self.indicators if row.now.mean is not None]
        return sorted(shown, key=lambda row: (row.now.mean, row.code))

    def breakdown_choices(self, dimension: str) -> list[str]:
        """Choices present in a breakdown, in display order (``_choice_order``)."""
        table = self.breakdown_table
        chosen = table.loc[table["dimension"] == dimension, "choice"]
        return list(dict.fromkeys(chosen))

    def breakdown_grid(self, dimension: str, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Means and suppression as choice x goal tables (display order, goals as columns);
        NaN and False where a choice has no ratings of a goal."""
        table = self.breakdown_table
        rows = table[(table["dimension"] == dimension) & (table["kind"] == kind)]
        choices = self.breakdown_choices(dimension)
        goals = [row.sdg for row in self.goals]
        means = rows.pivot(index="choice", columns="sdg", values="mean")
        hidden = rows.pivot(index="choice", columns="sdg", values="suppressed")
        return (
            means.reindex(index=choices, columns=goals).astype(float),
            hidden.reindex(index=choices, columns=goals).eq(True),
        )


def officials(
    survey: Survey, overrides: Mapping[int, Official] | None = None
) -> dict[int, Official]:
    """Official levels per goal: the survey's, replaced by config overrides."""
    result = {s.sdg: s.official for s in survey.sections if s.official is not None}
    result.update(overrides or {})
    return result


def analyse(
    database: Path | str,
    survey: Survey,
    scope: Mapping[str, str],
    start: datetime,
    end: datetime,
    k: int = 5,
    overrides: Mapping[int, Official] | None = None,
    max_comments: int = 5000,
    mode: str | None = None,
    publications: Mapping[str, Publication] | None = None,
    designed_by: str = DESIGNED_BY,
) -> Analysis:
    """Everything a digest shows, read in one read-only snapshot: a view (``scope``,
    ``mode``) of the current round's protected publication. Group sessions are
    read apart; the previous round is the same view of its own publication.
    ``publications`` (round id -> publication) reuses ones already built from
    the same snapshot, as the privacy audit does for its many views."""
    start_text, end_text = _stamp(start), _stamp(end)
    view = View.of(scope, mode)
    with analytics.snapshot(database) as db:
        current, previous = _last_two_rounds(rounds_of(db))
        round_id = current.id if current else ""
        built = dict(publications or {})

        def load(rid: str) -> Publication:
            if rid not in built:
                built[rid] = publication.load(db, survey.id, rid, k)
            return built[rid]

        published = load(round_id)
        before = load(previous.id) if previous else None
        progress, comments = _in_window(
            db, survey.id, scope, start_text, end_text, max_comments, mode, round_id
        )
        sessions = analytics.session_records(db, survey.id, scope)
        means = partial(indicator_means, survey)
        rescored = since_meeting(db, survey, view, rounds_of(db), current, load, k, means)
        community = means(published, view)
        providers, providers_refusal = provider_gaps(
            db, survey, view, round_id, k, community, means
        )
        agreed = [
            a for a in stored_actions.actions_of(db)
            if all(json.loads(a.scope or "{}").get(d) == c for d, c in scope.items())
        ]  # fmt: skip
        used = _versions_in_use(db, survey.id)
        texts = versions.stored_texts(db, [digest for _v, digest, _n in used])
    levels = officials(survey, overrides)
    refusal = published.view_status(view)
    if refusal is not None:
        # A refused view (fewer than k people, or a filter whose complement is
        # that small) shows nothing rating-derived: no counts, no comments. Group
        # sessions stay: each is its own record, its votes hidden below k people.
        progress, comments = Progress(), []
    else:
        progress = protected_progress(published, view, progress)
    pooled = view_tables(survey, published, view, levels)
    return Analysis(
        survey, dict(scope), start, end, k, progress,
        pooled.goals, pooled.indicators, pooled.breakdowns,
        _goal_rows(pooled.goals, levels), _indicator_rows(pooled.indicators),
        _breakdown_means(pooled.breakdowns), comments, mode, sessions, refusal is not None,
        *combined_versions(survey, used, texts),
        None if before is None or previous is None else round_reference(previous, before, view),
        refusal, current.title or current.id if current else "",
        statement(survey, published, current, used, len(sessions), designed_by, view),
        [] if refusal is not None else rescored,
        [] if refusal is not None else providers,
        None if refusal is not None else providers_refusal,
        agreed,
    )  # fmt: skip


@dataclass(slots=True)
class _Windows:
    """A round's counts and comments in the windows asked so far, and every moment a
    window is compared with (``storage.publication.round_moments``, read only once a
    second window is asked): a window no moment tells apart from one already
    counted counts the same."""

    counted: list[tuple[str, str, Progress, list[Comment]]] = field(default_factory=list)
    moments: list[str] | None = None

    def find(
        self, start: str, end: str, moments: Callable[[], list[str]]
    ) -> tuple[Progress, list[Comment]] | None:
        for counted_start, counted_end, progress, comments in self.counted:
            if (counted_start, counted_end) == (start, end):
                return progress, comments
        if not self.counted:
            return None
        if self.moments is None:
            self.moments = moments()
        for counted_start, counted_end, progress, comments in self.counted:
            if self._same(start, counted_start) and self._same(end, counted_end):
                return progress, comments
        return None

    def _same(self, one: str, other: str) -> bool:
        """No moment in [min, max): every ``moment < bound`` and ``>= bound`` agrees."""
        assert self.moments is not None
        low, high = sorted((one, other))
        return bisect_left(self.moments, low) == bisect_left(self.moments, high)


def _in_window(
    db: sqlite3.Connection,
    survey_id: str,
    scope: Mapping[str, str],
    start: str,
    end: str,
    max_comments: int,
    mode: str | None,
    round_id: str,
) -> tuple[Progress, list[Comment]]:
    """``analytics.progress`` and ``analytics.comments`` of the window; a warm bot
    (``publication.reusing``) reads them once per window while the round's change
    mark stays, and not at all for a window no stored moment tells apart."""

    def read() -> tuple[Progress, list[Comment]]:
        return (
            analytics.progress(db, survey_id, scope, start, end, mode, round_id),
            analytics.comments(db, survey_id, scope, start, end, max_comments, mode, round_id),
        )

    key = ("windows", tuple(sorted(scope.items())), mode, max_comments)
    windows = publication.remembered(db, survey_id, round_id, key, _Windows)
    if windows is None:
        return read()
    found = windows.find(start, end, lambda: round_moments(db, survey_id, round_id))
    if found is None:
        found = read()
        windows.counted = [*windows.counted[-7:], (start, end, *found)]
    return found


def _versions_in_use(db: sqlite3.Connection, survey_id: str) -> list[tuple[str, str, int]]:
    """``versions.versions_in_use`` (every response of the survey), read once while no
    round's change mark moves (``publication.remembered_survey``)."""
    key = ("versions_in_use",)
    kept = publication.remembered_survey(
        db, survey_id, key, lambda: versions.versions_in_use(db, survey_id)
    )
    return versions.versions_in_use(db, survey_id) if kept is None else kept


def view_tables(
    survey: Survey, published: Publication, view: View, levels: Mapping[int, Official]
) -> Tables:
    """A published view's tables: the same numbers in every output that shows the view.

    Worked out once per publication, survey file, view and official levels (a
    warm bot's digests of an unchanged round share them): the tables are read,
    never changed, by the text, charts and workbook."""
    official = tuple(sorted((sdg, o.level, o.source) for sdg, o in levels.items()))
    key = ("view_tables", survey.content_hash, view, official)
    return published.remember(key, lambda: _view_tables(survey, published, view, levels))


def _view_tables(
    survey: Survey, published: Publication, view: View, levels: Mapping[int, Official]
) -> Tables:
    cells = cell_frame(view_cells(published, view)) if published.view_status(view) is None else None
    return tables(
        survey, cell_frame([]) if cells is None else cells, levels, row_states(published, view)
    )


def indicator_means(survey: Survey, published: Publication, view: View) -> dict[str, float]:
    """The view's shown "now" mean per indicator, as the digest's indicator table has it."""
    if published.view_status(view) is not None:
        return {}
    table = view_tables(survey, published, view, {}).indicators
    return {
        str(row["code"]): float(row["now_mean"])
        for row in table.to_dict("records")
        if row["now_mean"] == row["now_mean"]  # NaN: hidden, or nobody rated it
    }


def breakdown_means(table: pd.DataFrame) -> dict[str, dict[tuple[str, int, str], Mean]]:
    """dimension -> (choice, sdg, kind) -> Mean of a ``Tables.breakdowns``."""
    return _breakdown_means(table)


def _last_two_rounds(listed: Sequence[Round]) -> tuple[Round | None, Round | None]:
    """The current round (the open one, else the latest) and the one before it."""
    if not listed:
        return None, None
    current = next((r for r in listed if r.is_open), listed[-1])
    index = listed.index(current)
    return current, (listed[index - 1] if index > 0 else None)


def round_reference(previous: Round, before: Publication, view: View) -> Reference:
    """The previous round's per-goal means (now and forecast) in the same view of its
    own publication, rounded and hidden as there; all hidden if it refuses the view.
    Worked out once per publication, view and round record (read, never changed)."""
    key = ("round_reference", view, previous)
    return before.remember(key, lambda: _round_reference(previous, before, view))


def _round_reference(previous: Round, before: Publication, view: View) -> Reference:
    goals: dict[int, ReferencePoint] = {}
    if before.view_status(view) is None:
        cells = cell_frame(view_cells(before, view))
        for (sdg, kind), row in cells.groupby(["sdg", "kind"])[SUMS].sum().iterrows():
            if kind not in KINDS:
                continue
            mean = half_up(row["total"] / row["rated"], MEAN_DECIMALS) if row["rated"] else None
            point = goals.get(int(sdg), ReferencePoint())
            shown = before.mean_state(view, None, int(sdg)).shown
            goals[int(sdg)] = replace(point, **{kind: mean if shown else None})
    return Reference(
        previous.title or previous.id, previous.now_year, previous.forecast_year, goals
    )


def combined_versions(
    survey: Survey, used: Sequence[tuple[str, str, int]], texts: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """The versions' names (with the hash's start where one name has several
    files) and the codes not in every version whose items are known (the
    current survey's and those kept in survey_versions)."""
    names = [version for version, _digest, _count in used]
    labels = [
        f"{version} ({digest[:8]})" if names.count(version) > 1 else version
        for version, digest, _count in used
    ]
    known = {survey.content_hash: survey, **survey_versions_from(dict(texts))}
    codes = [set(known[d].item_by_code) for _v, d, _n in used if d in known]
    if len(codes) < 2:
        return list(dict.fromkeys(labels)), []
    partial = set.union(*codes) - set.intersection(*codes)
    order = {code: n for n, code in enumerate(survey.item_by_code)}
    return list(dict.fromkeys(labels)), sorted(partial, key=lambda c: (order.get(c, 10**6), c))


def _stamp(moment: datetime) -> str:
    """The stored timestamp format (UTC, ISO 8601, Z) for comparisons in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
