"""The report's analysis for one survey, time window and scope.

Means are over every rating stored when the analysis runs (respondents can
only rate after consenting), finished or not; the window only counts what is
new (responses started and completed, comments). Skips are not ratings;
"don't know" answers count in the don't-know share, never in a mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from conversations.survey import Official, Survey
from storage import analytics
from storage.analytics import Cell, Comment, Mean, Progress

BREAKDOWNS = ("group", "region", "area")
KINDS = ("now", "forecast")


@dataclass(frozen=True, slots=True)
class Change:
    """Forecast against now: growth in percent and in points per year."""

    percent: float | None
    per_year: float | None


def change(now: Mean, forecast: Mean, years: int) -> Change:
    if now.mean is None or forecast.mean is None:
        return Change(None, None)
    difference = forecast.mean - now.mean
    return Change(100.0 * difference / now.mean, difference / years)


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


@dataclass(slots=True)
class Analysis:
    survey: Survey
    scope: dict[str, str]
    start: datetime
    end: datetime
    k: int
    progress: Progress
    goals: list[GoalRow]
    indicators: list[IndicatorRow]
    # dimension -> (choice, sdg, kind) -> Mean
    breakdowns: dict[str, dict[tuple[str, int, str], Mean]]
    comments: list[Comment] = field(default_factory=list)

    @property
    def years(self) -> int:
        return self.survey.years["forecast"] - self.survey.years["now"]

    @property
    def completion_rate(self) -> float | None:
        started = self.progress.started
        return None if started == 0 else self.progress.completed / started

    @property
    def median_minutes(self) -> float | None:
        median = analytics.sequence_median(self.progress.durations)
        return None if median is None else median / 60.0

    def ranked_indicators(self) -> list[IndicatorRow]:
        """Indicators with a shown mean now, lowest first."""
        shown = [row for row in self.indicators if row.now.mean is not None]
        return sorted(shown, key=lambda row: (row.now.mean, row.code))

    def breakdown_choices(self, dimension: str) -> list[str]:
        """Choices in survey order, then prefer_not and unanswered ('')."""
        present = {choice for choice, _sdg, _kind in self.breakdowns.get(dimension, {})}
        question = self.survey.profile_question(dimension)
        order = [c.id for c in question.choices] if question else []
        order += ["prefer_not", ""]
        return [c for c in order if c in present] + sorted(present - set(order))


def officials(
    survey: Survey, overrides: Mapping[int, Official] | None = None
) -> dict[int, Official]:
    """Official levels per goal: the survey's, replaced by config overrides."""
    result = {s.sdg: s.official for s in survey.sections if s.official is not None}
    result.update(overrides or {})
    return result


def analyse_cells(
    survey: Survey,
    cells: list[Cell],
    k: int,
    overrides: Mapping[int, Official] | None = None,
) -> tuple[list[GoalRow], list[IndicatorRow], dict[str, dict[tuple[str, int, str], Mean]]]:
    years = survey.years["forecast"] - survey.years["now"]
    empty = Mean(None, 0, 0, 0, True)
    by_goal = analytics.pooled_means(cells, lambda c: (c.sdg, c.kind), k)
    by_item = analytics.pooled_means(cells, lambda c: (c.item_code, c.kind), k)
    levels = officials(survey, overrides)
    goals = []
    for section in survey.sections:
        now = by_goal.get((section.sdg, "now"), empty)
        forecast = by_goal.get((section.sdg, "forecast"), empty)
        official = levels.get(section.sdg)
        gap = None if official is None or now.mean is None else now.mean - official.level
        goals.append(
            GoalRow(
                section.sdg, section.id, now, forecast, change(now, forecast, years), official, gap
            )
        )
    indicators = []
    for section, item in survey.items:
        now = by_item.get((item.code, "now"), empty)
        forecast = by_item.get((item.code, "forecast"), empty)
        indicators.append(
            IndicatorRow(item.code, section.sdg, now, forecast, change(now, forecast, years))
        )
    breakdowns = {
        dimension: analytics.pooled_means(
            cells, lambda c, d=dimension: (c.dimension(d), c.sdg, c.kind), k
        )
        for dimension in BREAKDOWNS
    }
    return goals, indicators, breakdowns


def analyse(
    database: Path | str,
    survey: Survey,
    scope: Mapping[str, str],
    start: datetime,
    end: datetime,
    k: int = 5,
    overrides: Mapping[int, Official] | None = None,
    max_comments: int = 5000,
) -> Analysis:
    """Everything a digest shows, read in one read-only snapshot."""
    start_text, end_text = _stamp(start), _stamp(end)
    db = analytics.connect(database)
    try:
        db.execute("BEGIN")
        progress = analytics.progress(db, survey.id, scope, start_text, end_text)
        cells = analytics.rating_cells(db, survey.id, scope)
        comments = analytics.comments(db, survey.id, scope, start_text, end_text, max_comments)
        db.execute("COMMIT")
    finally:
        db.close()
    goals, indicators, breakdowns = analyse_cells(survey, cells, k, overrides)
    return Analysis(
        survey, dict(scope), start, end, k, progress, goals, indicators, breakdowns, comments
    )


def _stamp(moment: datetime) -> str:
    """The stored timestamp format (UTC, ISO 8601, Z) for comparisons in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
