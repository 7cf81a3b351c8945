"""What the meeting pack shows, as plain records taken from the digest's analysis.

Every mean is the digest's (``reporting.digest.analysis.analyse``: a view of
the round's protected publication, hidden where it hides, two decimals); a gap
is the difference of two shown means. Comments are those the digest shows
(none when the view is refused), without any pseudonym. Priority goals are a
ranking without counts, shown only when the view is published and at least k
people of it answered the question.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reporting import publication
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.rescoring import Rescore
from reporting.digest.scope import choice_label
from reporting.publication import View
from storage import analytics, priorities
from storage.actions import Action
from survey.model import Official, Survey

LOWEST = 8
GAPS = 6
COMMENTS = 20


@dataclass(frozen=True, slots=True)
class Low:
    code: str
    statement: str
    goal: str
    now: float
    forecast: float | None


@dataclass(frozen=True, slots=True)
class Gap:
    goal: str
    dimension: str
    high: str
    high_mean: float
    low: str
    low_mean: float

    @property
    def gap(self) -> float:
        return round(self.high_mean - self.low_mean, 2)


@dataclass(frozen=True, slots=True)
class ProviderGap:
    code: str
    statement: str
    community: float
    providers: float

    @property
    def gap(self) -> float:
        return round(self.providers - self.community, 2)


@dataclass(frozen=True, slots=True)
class Said:
    goal: str
    text: str


@dataclass(slots=True)
class Pack:
    language: str
    survey: Survey
    analysis: Analysis
    scope_label: str
    round_title: str
    made_on: str
    people: int | None  # None: withheld (fewer than k)
    refusal: str | None
    lowest: list[Low] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    providers: list[ProviderGap] = field(default_factory=list)
    providers_refusal: str | None = None  # why provider means are not shown
    comments: list[Said] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)  # goal titles, most chosen first
    actions: list[Action] = field(default_factory=list)
    changes: list[Rescore] = field(default_factory=list)  # since the last meeting


def lowest(analysis: Analysis, language: str) -> list[Low]:
    survey = analysis.survey
    forecast = {row.code: row.forecast.mean for row in analysis.indicators}
    found = []
    for row in analysis.ranked_indicators()[:LOWEST]:
        section, item = survey.item_by_code[row.code]
        assert row.now.mean is not None
        found.append(
            Low(row.code, item.label(language), section.short_title(language), row.now.mean,
                forecast.get(row.code))
        )  # fmt: skip
    return found


def group_gaps(analysis: Analysis, language: str) -> list[Gap]:
    """Per goal and dimension, the highest and lowest shown choice "now"; widest first."""
    survey = analysis.survey
    titles = {section.sdg: section.short_title(language) for section in survey.sections}
    found = []
    for dimension, means in analysis.breakdowns.items():
        by_goal: dict[int, list[tuple[float, str]]] = {}
        for (choice, sdg, kind), mean in means.items():
            if kind == "now" and choice not in ("", "prefer_not") and mean.mean is not None:
                by_goal.setdefault(sdg, []).append((mean.mean, choice))
        for sdg, shown in by_goal.items():
            if len(shown) < 2:
                continue
            (low_mean, low), (high_mean, high) = min(shown), max(shown)
            if high_mean > low_mean:
                found.append(
                    Gap(titles[sdg], dimension,
                        choice_label(survey, dimension, high, language), high_mean,
                        choice_label(survey, dimension, low, language), low_mean)
                )  # fmt: skip
    found.sort(key=lambda g: (-g.gap, g.goal))
    # The same people under another name (youth who all live in the north) are one
    # row in the publication: one line in the pack, the first dimension's.
    seen: set[tuple[str, float, float]] = set()
    distinct = []
    for gap in found:
        key = (gap.goal, gap.high_mean, gap.low_mean)
        if key not in seen:
            seen.add(key)
            distinct.append(gap)
    return distinct[:GAPS]


def comments(analysis: Analysis, language: str) -> list[Said]:
    survey = analysis.survey
    titles = {f"section:{s.id}": s.short_title(language) for s in survey.sections}
    found = [
        Said(titles.get(c.question_id, ""), c.text) for c in analysis.comments if c.text.strip()
    ]
    return found[:COMMENTS]


def priority_goals(
    database: Path | str, survey: Survey, analysis: Analysis, language: str
) -> list[str]:
    question = next((q for q in survey.closing if q.kind == "pick_goals"), None)
    if question is None or analysis.refusal is not None:
        return []
    view = View.of(analysis.scope, analysis.mode)
    with analytics.snapshot(database) as db:
        current = _current_round(db)
        published = publication.load(db, survey.id, current, analysis.k)
        people = published.people_of(published.members(view.conditions()))
        chosen = priorities.selections(db, question.id, people)
    if len(chosen) < analysis.k:
        return []
    counts = Counter(goal for selection in chosen for goal in selection.replace(",", " ").split())
    titles = {s.id: s.short_title(language) for s in survey.sections}
    ranked = sorted(counts, key=lambda goal: (-counts[goal], goal))
    return [titles[goal] for goal in ranked if goal in titles][:3]


def _current_round(db) -> str:  # type: ignore[no-untyped-def]
    from storage.rounds import rounds_of

    listed = rounds_of(db)
    if not listed:
        return ""
    return next((r for r in listed if r.is_open), listed[-1]).id


def build_content(
    database: Path | str,
    survey: Survey,
    scope: Mapping[str, str],
    language: str,
    k: int,
    scope_label: str,
    actions: Sequence[Action] = (),
    overrides: Mapping[int, Official] | None = None,
    window_days: int = 7,
    now: datetime | None = None,
) -> Pack:
    end = now or datetime.now(UTC)
    analysis = analyse(
        database, survey, scope, end - timedelta(days=window_days), end, k, overrides
    )
    pack = Pack(
        language, survey, analysis, scope_label, analysis.round_title, end.date().isoformat(),
        analysis.progress.started if analysis.refusal is None else None, analysis.refusal,
    )  # fmt: skip
    if analysis.refusal is None:
        pack.lowest = lowest(analysis, language)
        pack.gaps = group_gaps(analysis, language)
        pack.comments = comments(analysis, language)
        pack.priorities = priority_goals(database, survey, analysis, language)
        pack.changes = list(analysis.since_meeting)
        pack.providers = [
            ProviderGap(g.code, survey.item_by_code[g.code][1].label(language), g.community,
                        g.providers)
            for g in analysis.providers
        ]  # fmt: skip
        pack.providers_refusal = analysis.providers_refusal
    pack.actions = list(actions)
    return pack
