"""Secondary suppression: no hidden number of a published table can be worked out
by adding and subtracting the numbers the same table shows, nor the numbers of
every view of the round's publication together (``reporting.publication``).

The designed dataset reproduces issue 10's example. Indicator 1.1.1 "now", k = 5:

    people   group                    region      area     now   forecast
    Y1..Y4   youth                    north       urban    3     4
    Y5       youth                    north       rural    3     4
    Y6       youth                    north       rural    4     don't know
    W1..W4   women                    south       rural    1, 2, 2, 2   2
    W5       women ethnic_minority    south       rural    2     3
    D1       disability               north       urban    2     3
    D2       disability               prefer_not  urban    2     3
    D3       disability               (none)      urban    2     (skipped)

    headline 34/14 = 2.43; youth 19/6 = 3.17; women 9/5 = 1.8; disability 6/3 = 2.0
    (hidden): headline minus youth minus women gives disability exactly, unless a
    second row is hidden. Indicator 1.2.1 is rated by Y1..Y4 and W1 (5 people).
    A row's people are those whose profile matches it, whatever they rated.

The test's attacker knows, for every shown row, its ratings, their total and its
don't-know answers, per kind; it knows nothing of hidden rows. It works with one
unknown per person and indicator (finer than the bot's cells), so it shares no
code with ``reporting.publication``.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from openpyxl import load_workbook

from reporting.digest.analysis import Analysis, analyse
from reporting.digest.charts import heat_map_figure
from reporting.digest.opensdg import opensdg_frame
from reporting.digest.text import render_text
from reporting.digest.workbook import render_workbook
from reporting.publication import View
from reporting.results import comparisons
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent, digest_settings, published

K = 5
# name, group, region, area, {(code, kind): value | None (don't know)}
Person = tuple[str, str, str, str, dict[tuple[str, str], int | None]]


def _rate(now: int, forecast: int | str | None, second: int | None = None) -> dict:
    ratings: dict[tuple[str, str], int | None] = {("1.1.1", "now"): now}
    if forecast != "skip":
        ratings[("1.1.1", "forecast")] = forecast  # type: ignore[assignment]
    if second is not None:
        ratings[("1.2.1", "now")] = second
        ratings[("1.2.1", "forecast")] = second + 1
    return ratings


PEOPLE: list[Person] = [
    *[(f"Y{n}", "youth", "north", "urban", _rate(3, 4, n)) for n in range(1, 5)],
    ("Y5", "youth", "north", "rural", _rate(3, 4)),
    ("Y6", "youth", "north", "rural", _rate(4, None)),
    ("W1", "women", "south", "rural", _rate(1, 2, 4)),
    *[(f"W{n}", "women", "south", "rural", _rate(2, 2)) for n in range(2, 5)],
    ("W5", "women ethnic_minority", "south", "rural", _rate(2, 3)),
    ("D1", "disability", "north", "urban", _rate(2, 3)),
    ("D2", "disability", "prefer_not", "urban", _rate(2, 3)),
    ("D3", "disability", "", "urban", _rate(2, "skip")),
]
GOALS = {"1.1.1": 1, "1.2.1": 1}
DIMENSIONS = {"group": 1, "region": 2, "area": 3}


@pytest.fixture
async def designed(database: Path) -> AsyncIterator[Harness]:
    async with Harness(digest_settings(database)) as running:
        for number, (_name, group, region, area, ratings) in enumerate(PEOPLE):
            profile = {"group": group, "area": area}
            if region:
                profile["region"] = region
            comment = "Ý kiến của D1" if _name == "D1" else None
            person = Respondent(870000 + number, profile, dict(ratings), comment=comment)
            await add_respondent(running.services.store, running.services.survey, person)
        yield running


def analysis_of(
    h: Harness, scope: dict[str, str] | None = None, mode: str | None = None
) -> Analysis:
    end = datetime.now(UTC) + timedelta(minutes=1)
    return analyse(
        h.settings.storage.database, h.services.survey, scope or {}, end - timedelta(7), end, K,
        mode=mode,
    )  # fmt: skip


# The attacker's unknowns: one per (person, indicator) answered in a kind.
def atoms(kind: str) -> list[tuple[int, str]]:
    return [
        (number, code)
        for number, person in enumerate(PEOPLE)
        for (code, answered_kind) in person[4]
        if answered_kind == kind
    ]


def matches(person: Person, dimension: str, choice: str) -> bool:
    return choice in (person[DIMENSIONS[dimension]].split() or [""])


def members(row: tuple, kind: str) -> np.ndarray:  # type: ignore[type-arg]
    """0/1 over ``atoms(kind)``: which answers a published row sums.

    Rows: ("all", "", code-or-goal), ("item", code, goal), (dimension, choice, ...),
    each with an optional fourth element: the view's scope, ((dimension, choice), ...)."""
    dimension, choice, where = row[:3]
    scope = row[3] if len(row) > 3 else ()

    def inside(number: int, code: str) -> bool:
        person = PEOPLE[number]
        if isinstance(where, int) and GOALS[code] != where:
            return False
        if isinstance(where, str) and code != where:
            return False
        if not all(matches(person, d, c) for d, c in scope):
            return False
        if dimension == "all":
            return True
        if dimension == "item":
            return code == choice
        return matches(person, dimension, choice)

    return np.array([inside(n, c) for n, c in atoms(kind)], dtype=float)


def sums(vector: np.ndarray, kind: str) -> tuple[int, int, int]:
    """(ratings, their total, don't know) of the answers in ``vector``."""
    values = [PEOPLE[n][4][(c, kind)] for n, c in atoms(kind)]
    rated = sum(int(v is not None) * x for v, x in zip(values, vector, strict=True))
    total = sum((v or 0) * x for v, x in zip(values, vector, strict=True))
    dont_know = sum(int(v is None) * x for v, x in zip(values, vector, strict=True))
    return int(rated), int(total), int(dont_know)


def respondents(row: tuple) -> int:  # type: ignore[type-arg]
    """People behind a row (the bot's count): whose profile matches it, in its scope."""
    dimension, choice = row[:2]
    scope = row[3] if len(row) > 3 else ()
    return sum(
        all(matches(p, d, c) for d, c in scope)
        and (dimension in ("all", "item") or matches(p, dimension, choice))
        for p in PEOPLE
    )


def in_span(target: np.ndarray, shown: list[np.ndarray]) -> bool:
    if not shown:
        return False
    base = np.array(shown)
    return np.linalg.matrix_rank(np.vstack([base, target])) == np.linalg.matrix_rank(base)


def assert_nothing_derivable(
    shown: list[tuple[str, str, object]], hidden: list[tuple[str, str, object]], kind: str
) -> int:
    """Every subtraction (a shown row minus any set of the others, or a set of rows
    minus one) and every linear combination: none gives a small hidden row.
    Returns how many small hidden rows were checked."""
    vectors = [members(row, kind) for row in shown]
    vectors = [v for v in vectors if v.any()]
    checked = 0
    for row in hidden:
        target = members(row, kind)
        if not target.any() or respondents(row) >= K:
            continue  # nothing small to protect here (hidden second, or empty)
        checked += 1
        assert not in_span(target, vectors), f"{row} ({kind}) follows from the shown rows"
        for size in range(1, len(vectors) + 1):
            for subset in itertools.combinations(range(len(vectors)), size):
                part = sum(vectors[i] for i in subset)
                for first in range(len(vectors)):
                    if first in subset:
                        continue
                    for combination in (vectors[first] - part, part - vectors[first]):
                        assert not np.array_equal(combination, target), (row, kind, subset)
    return checked


def digest_rows(analysis: Analysis, kind: str) -> tuple[list, list]:
    """The digest's rows of SDG 1, shown and hidden; scoped ones carry the scope."""
    scope = tuple(sorted(analysis.scope.items()))
    extra = (scope,) if scope else ()
    shown, hidden = [], []
    for row in analysis.goal_table.to_dict("records"):
        if int(row["sdg"]) == 1:
            (hidden if row[f"{kind}_suppressed"] else shown).append(("all", "", 1, *extra))
    for row in analysis.indicator_table.to_dict("records"):
        if row["code"] in GOALS:
            key = ("item", row["code"], 1, *extra)
            (hidden if row[f"{kind}_suppressed"] else shown).append(key)
    table = analysis.breakdown_table
    for row in table[(table["sdg"] == 1) & (table["kind"] == kind)].to_dict("records"):
        key = (row["dimension"], row["choice"], 1, *extra)
        (hidden if row["suppressed"] else shown).append(key)
    return shown, hidden


def small_sets(kind: str, code: str) -> list[np.ndarray]:
    """Every set of 1 to K−1 people, as their answers to ``code`` in ``kind``."""
    found = []
    for size in range(1, K):
        for group in itertools.combinations(range(len(PEOPLE)), size):
            vector = np.array([n in group and c == code for n, c in atoms(kind)], dtype=float)
            if vector.any():
                found.append(vector)
    return found


async def test_the_issue_example_no_longer_gives_the_hidden_group_away(designed: Harness) -> None:
    analysis = analysis_of(designed)
    now = analysis.breakdowns["group"]
    assert now[("disability", 1, "now")].suppressed  # 3 people
    headline = analysis.indicators[0]
    assert headline.code == "1.1.1" and headline.now.mean == round(34 / 14, 2)
    youth, women = now[("youth", 1, "now")], now[("women", 1, "now")]
    # Not both shown: 34/14 minus 19/6 and 9/5 would be the three people's 6/3.
    assert youth.suppressed or women.suppressed
    for kind in ("now", "forecast"):
        shown, hidden = digest_rows(analysis, kind)
        assert ("all", "", 1) in shown  # the headline itself stays
        assert assert_nothing_derivable(shown, hidden, kind) >= 3


async def test_no_small_group_follows_from_every_view_together(designed: Harness) -> None:
    """What one coordinator could gather: every view the publication shows (each
    single choice, each by mode), added and subtracted together. No hidden row of
    fewer than K people, and no set at all of 1 to K−1 people, is in their span."""
    pub = published(designed)
    views = [view for view, status in pub.views.items() if status is None]
    assert View((("region", "north"),), None) in views  # the coordinator's scope
    assert View((("group", "disability"),), None) not in views  # 3 people: refused
    analyses = [analysis_of(designed, dict(view.scope), view.mode) for view in views]
    for kind in ("now", "forecast"):
        shown, hidden = [], []
        for analysis in analyses:
            more_shown, more_hidden = digest_rows(analysis, kind)
            shown += more_shown
            hidden += more_hidden
        vectors = [v for v in (members(row, kind) for row in shown) if v.any()]
        for row in hidden:
            target = members(row, kind)
            if target.any() and respondents(row) < K:
                assert not in_span(target, vectors), f"{row} ({kind}) follows from the views"
        # 1.1.1 was answered by everyone (but D3's skipped forecast): its answers
        # are the people themselves, what the publication protects.
        for target in small_sets(kind, "1.1.1"):
            assert not in_span(target, vectors), (kind, np.flatnonzero(target))


async def test_a_rating_given_by_fewer_than_k_people_cannot_be_worked_out(
    designed: Harness,
) -> None:
    pub = published(designed)
    views = [view for view, status in pub.views.items() if status is None]
    analyses = [analysis_of(designed, dict(view.scope), view.mode) for view in views]
    shown = [row for analysis in analyses for row in digest_rows(analysis, "now")[0]]
    vectors = [v for v in (members(row, "now") for row in shown) if v.any()]
    for target in small_sets("now", "1.2.1"):
        assert not in_span(target, vectors), np.flatnonzero(target)


async def test_open_sdg_rows_give_nothing_away(designed: Harness) -> None:
    h = designed
    survey = h.services.survey
    frame = opensdg_frame(survey, published(h), View((), None))
    labels = {
        dimension: {c.label("en"): c.id for c in survey.profile_question(dimension).choices}
        for dimension in DIMENSIONS
    }
    for code in GOALS:
        for kind, year in survey.years.items():
            rows = frame[(frame["Indicator"] == code) & (frame["Year"] == year)]
            shown = []
            for row in rows.to_dict("records"):
                named = [(d, labels[d][row[d.title()]]) for d in DIMENSIONS if row[d.title()]]
                dimension, choice = named[0] if named else ("all", "")
                shown.append((dimension, choice, code))
            everything = [("all", "", code)] + [
                (dimension, choice, code)
                for dimension, column in DIMENSIONS.items()
                for choice in {c for p in PEOPLE for c in (p[column].split() or [""])}
            ]
            hidden = [row for row in everything if row not in shown]
            # "prefer not to say" and unanswered are never shown: protected too.
            assert ("region", "prefer_not", code) in hidden and ("region", "", code) in hidden
            assert_nothing_derivable(shown, hidden, kind)


async def test_a_hidden_mean_hides_its_count_and_share_and_both_kinds(designed: Harness) -> None:
    analysis = analysis_of(designed)
    table = analysis.breakdown_table
    both = table.pivot_table(
        index=["dimension", "choice", "sdg"], columns="kind", values="suppressed", aggfunc="first"
    ).dropna()
    assert (both["now"] == both["forecast"]).all()  # now and forecast hidden together
    book = load_workbook(io.BytesIO(render_workbook(analysis, "en", ZoneInfo("UTC"))))
    for row in book["Breakdowns"].iter_rows(min_row=2, values_only=True):
        mean, count, share = row[5], row[6], row[7]
        assert (mean == "<5") == (count == "<5") == (share == "<5"), row


async def test_results_hide_what_the_digest_hides(designed: Harness) -> None:
    h = designed
    survey = h.services.survey
    analysis = analysis_of(h)
    pub = published(h)
    named = {
        c.label("en"): (dimension, c.id)
        for dimension in ("group", "region")
        for c in survey.profile_question(dimension).choices
    }
    seen = 0
    for _name, group, region, _area, _ratings in PEOPLE:
        for comparison in comparisons(survey, {"group": group, "region": region}, pub, "en"):
            dimension, choice = named[comparison.label]
            for kind in ("now", "forecast"):
                mean = comparison.means.get((1, kind))
                digest = analysis.breakdowns[dimension][(choice, 1, kind)]
                hidden = comparison.hidden is not None or mean is None or mean.suppressed
                assert hidden == digest.suppressed, comparison.label
                if not hidden:
                    assert mean is not None and mean.mean == digest.mean  # the same number
                seen += 1
    assert seen > 0


async def test_a_scope_of_three_people_shows_nothing_but_that(designed: Harness) -> None:
    """Issue 10, item 2: a digest of a scope smaller than k (the 3 people with
    disabilities) shows no counts, no comments and no rating-derived number."""
    analysis = analysis_of(designed, {"group": "disability"})
    assert analysis.too_small
    text = render_text(analysis, "en", ZoneInfo("UTC"))
    body = text.split("</i>\n\n", 2)[-1]
    assert body == (
        "Fewer than 5 people in this scope have answered in this round. To protect them,"
        " no numbers and no comments are shown until at least 5 have answered."
    )
    assert "Started" not in text and "Ý kiến" not in text
    book = load_workbook(io.BytesIO(render_workbook(analysis, "en", ZoneInfo("UTC"))))
    cells = [v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
    assert "Ý kiến của D1" not in cells and "Respondents started" not in cells
    numbers = [v for v in cells if isinstance(v, int | float)]
    assert set(numbers) <= {1, 4, 5, 8, 13, 16}  # goal numbers, k and official levels
    assert book["Comments"].max_row == 1 and book["Breakdowns"].max_row == 1
    indicator_means = [row[4] for row in book["Indicators"].iter_rows(min_row=2, values_only=True)]
    assert set(indicator_means) == {"<5"}
    # The whole survey's digest, with 14 people, shows D1's comment as before.
    assert any(c.text == "Ý kiến của D1" for c in analysis_of(designed).comments)
    # The vi text says the same in Vietnamese.
    assert "Chưa đủ 5 người" in render_text(analysis, "vi", ZoneInfo("UTC"))


async def test_the_heat_map_hides_the_second_cells_too(designed: Harness) -> None:
    analysis = analysis_of(designed)
    means, hidden = analysis.breakdown_grid("group", "now")
    # Primary: disability (3) and ethnic minorities (1); at least one more hidden second.
    assert hidden.loc["disability", 1] and hidden.loc["ethnic_minority", 1]
    assert hidden[1].sum() >= 3
    figure = heat_map_figure(analysis, "en")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts.count("<5") == int(hidden.to_numpy().sum())
    shown = {f"{v:.1f}" for v in means.to_numpy()[~hidden.to_numpy()] if v == v}
    assert shown <= set(texts)
    assert "2.0" not in texts  # the three people's mean, 6/3
