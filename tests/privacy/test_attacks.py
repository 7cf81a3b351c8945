"""Issue 16's attacks, run as a curious coordinator would, through the real outputs.

Each test reads what the digest (text, workbook, charts all read one
``Analysis``), /results, the Open SDG files or the anonymised export give,
and tries to get the interviewee or a small group back out of them.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from reporting import publication
from reporting.anonymise import write_anonymised_csv
from reporting.audit import audit
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.opensdg import opensdg_frame
from reporting.digest.text import render_text
from reporting.publication import COMPLEMENT, NOT_PUBLISHED, TOO_SMALL, View
from reporting.results import comparisons
from storage import analytics
from tests.privacy.conftest import Designed, K

END = datetime.now(UTC) + timedelta(minutes=1)
START = END - timedelta(days=7)


def digest(designed: Designed, scope: dict[str, str], mode: str | None = None) -> Analysis:
    return analyse(designed.database, designed.survey, scope, START, END, K, mode=mode)


def total(analysis: Analysis, sdg: int) -> float | None:
    """An indicator-sum a subtraction needs: mean × ratings, None when hidden."""
    goals = analysis.goal_table.set_index("sdg")
    if analysis.too_small or bool(goals.loc[sdg, "now_suppressed"]):
        return None
    return float(goals.loc[sdg, "now_mean"]) * int(goals.loc[sdg, "now_rated"])


async def test_a_filter_whose_complement_is_one_person_is_refused(designed: Designed) -> None:
    central = digest(designed, {"region": "central"})
    paper = digest(designed, {"region": "central"}, mode="paper")
    assert not central.too_small
    # Central minus its paper forms would be the interviewee alone.
    assert paper.too_small and paper.refusal == COMPLEMENT
    text = render_text(paper, "en", UTC)
    assert "central" not in text.lower() or "3," not in text  # no rating-derived number
    assert total(paper, 1) is None
    lone = digest(designed, {}, mode="interview")
    assert lone.too_small and lone.refusal == TOO_SMALL


async def test_all_minus_self_minus_paper_gives_nothing(designed: Designed) -> None:
    everyone, own, paper = (digest(designed, {}, mode) for mode in (None, "self", "paper"))
    for sdg in (1, 4):
        parts = [total(a, sdg) for a in (everyone, own, paper)]
        assert None in parts, f"SDG {sdg}: all − self − paper is the interviewee's total"


async def test_no_count_from_1_to_k_minus_1_is_printed(designed: Designed) -> None:
    for scope in ({}, {"group": "lgbtiq"}, {"group": "disability"}, {"region": "central"}):
        for mode in (None, "self", "paper"):
            analysis = digest(designed, scope, mode)
            progress = analysis.progress
            counts = [progress.started, progress.completed, progress.new_comments]
            counts += [n for _m, n, _c in progress.by_mode + progress.by_invitation]
            assert not [c for c in counts if c is not None and 0 < c < K], (scope, mode)
            text = render_text(analysis, "en", UTC)
            for small in ("1/1", "2/2", "3/3", " 1 people"):
                assert small not in text


async def test_too_small_is_judged_on_the_round_published(designed: Designed) -> None:
    # LGBTIQ+: 3 people in 2026, 2 in 2027; together 5 = k, but 2027 alone is 2.
    lgbtiq = digest(designed, {"group": "lgbtiq"})
    assert lgbtiq.too_small and lgbtiq.refusal == TOO_SMALL
    assert lgbtiq.comments == [] and lgbtiq.progress.started == 0
    assert lgbtiq.round_title == "2027"


async def test_a_scope_outside_the_publication_is_refused(designed: Designed) -> None:
    odd = digest(designed, {"region": "central", "group": "women"})
    assert odd.too_small and odd.refusal == NOT_PUBLISHED


async def test_results_read_the_same_round_and_say_why(designed: Designed) -> None:
    with analytics.snapshot(designed.database) as db:
        published = publication.load(db, designed.survey.id, "2027", K)
    compared = comparisons(designed.survey, {"group": "lgbtiq", "region": "south"}, published, "en")
    assert all(c.hidden is not None for c in compared)  # 2 people in 2027 each
    north = comparisons(designed.survey, {"group": "youth", "region": "north"}, published, "en")
    everyone = digest(designed, {})
    youth = everyone.breakdowns["group"]
    for comparison in north[:1]:
        for (sdg, kind), mean in comparison.means.items():
            assert mean.mean == youth[("youth", sdg, kind)].mean  # one number, two outputs


async def test_digest_open_sdg_and_results_agree_cell_by_cell(designed: Designed) -> None:
    everyone = digest(designed, {})
    with analytics.snapshot(designed.database) as db:
        published = publication.load(db, designed.survey.id, "2027", K)
    frame = opensdg_frame(designed.survey, published, View((), None))
    headline = frame[(frame["Group"] == "") & (frame["Region"] == "") & (frame["Area"] == "")]
    indicators = everyone.indicator_table.set_index("code")
    for row in headline.itertuples():
        kind = "now" if "rating" in row.Series else "forecast"
        assert row.Value == indicators.loc[row.Indicator, f"{kind}_mean"]


async def test_earlier_round_means_are_rounded(designed: Designed) -> None:
    reference = digest(designed, {}).previous_round
    assert reference is not None and reference.goals
    for point in reference.goals.values():
        for value in (point.now, point.forecast):
            assert value is None or round(value, 2) == value


async def test_the_export_leaves_out_the_interviewee_and_small_combinations(
    designed: Designed,
) -> None:
    out = io.StringIO()
    summary = write_anonymised_csv(designed.database, out, designed.survey, K, seed=1)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    people: dict[str, tuple[str, ...]] = {}
    for row in rows:
        people[row["respondent_id"]] = tuple(
            v for c, v in row.items() if c not in ("respondent_id", "sdg", "indicator_code",
                                                   "kind", "value")
        )  # fmt: skip
    assert "interview" not in {key[2] for key in people.values()}
    assert all(list(people.values()).count(key) >= K for key in people.values())
    assert "group_disability" in rows[0] and "group_women" in rows[0]  # one column per group
    assert summary.respondents == len(people) > 0 and summary.held_back > 0
    assert not {"partner", "answered_at", "survey_hash"} & set(rows[0])


@pytest.mark.parametrize("scope", [None, {"region": "central"}, {"group": "disability"}])
async def test_the_audit_derives_nothing(designed: Designed, scope: dict[str, str] | None) -> None:
    report = audit(designed.database, designed.survey, K, scope)
    assert report.findings == [], report.lines()
    assert report.outputs > 5 and report.rows > 3
