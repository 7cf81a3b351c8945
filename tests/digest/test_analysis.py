"""The numbers: the hand-computed dataset of conftest.py, asserted exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytest import approx

from bot.coordinator.delivery import official_overrides
from reporting.digest.analysis import Analysis, analyse
from storage import users
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent


def analysis_of(h: Harness, scope: dict[str, str] | None = None, k: int = 5) -> Analysis:
    end = datetime.now(UTC) + timedelta(minutes=1)
    return analyse(
        h.settings.storage.database, h.services.survey, scope or {}, end - timedelta(days=7), end,
        k, official_overrides(h.settings),
    )  # fmt: skip


def goal(analysis: Analysis, sdg: int):  # type: ignore[no-untyped-def]
    return next(row for row in analysis.goals if row.sdg == sdg)


async def test_goal_means_growth_and_gap_match_hand_computation(digest_harness: Harness) -> None:
    sdg1 = goal(analysis_of(digest_harness), 1)
    assert sdg1.now.mean == approx(17 / 7)
    assert sdg1.forecast.mean == approx(23 / 7)
    assert sdg1.change.percent == approx(100 * 6 / 17)
    assert sdg1.change.per_year == approx((6 / 7) / 3)
    assert sdg1.now.dont_know_share == approx(1 / 8)  # the skip is not an answer
    assert sdg1.forecast.rated == 7 and sdg1.forecast.dont_know == 0
    assert sdg1.official is not None and sdg1.official.source == "National report 2020"
    assert sdg1.gap == approx(17 / 7 - 4.0)


async def test_cells_with_fewer_than_k_respondents_are_hidden(digest_harness: Harness) -> None:
    analysis = analysis_of(digest_harness)
    groups = analysis.breakdowns["group"]
    women = groups[("women", 1, "now")]
    assert women.suppressed and women.mean is None and women.respondents == 2
    # The headline (17/7) minus youth (15/5) would give the women away: youth and
    # north are hidden second, in both kinds (secondary suppression).
    assert groups[("youth", 1, "now")].suppressed and groups[("youth", 1, "now")].mean is None
    assert groups[("youth", 1, "forecast")].suppressed
    regions = analysis.breakdowns["region"]
    assert regions[("north", 1, "now")].suppressed and regions[("south", 1, "now")].suppressed
    assert goal(analysis, 1).now.mean == approx(17 / 7)
    hand = analysis_of(digest_harness, k=2).breakdowns
    assert hand["group"][("youth", 1, "now")].mean == approx(3.0)
    assert hand["group"][("youth", 1, "forecast")].mean == approx(19 / 5)
    assert hand["region"][("north", 1, "now")].mean == approx(3.0)
    # SDG 4 was rated by two people only: hidden even without a breakdown.
    sdg4 = goal(analysis, 4)
    assert sdg4.now.suppressed and sdg4.now.mean is None and sdg4.change.percent is None
    lowest = analysis.ranked_indicators()
    assert [row.code for row in lowest] == ["1.1.1"]  # 4.1.1 is hidden, so never ranked
    # With k = 2 the same cells appear.
    small = analysis_of(digest_harness, k=2)
    assert small.breakdowns["group"][("women", 1, "now")].mean == approx(1.0)
    assert goal(small, 4).now.mean == approx(4.0)


async def test_scope_limits_every_number(digest_harness: Harness) -> None:
    north = analysis_of(digest_harness, {"region": "north"})
    assert goal(north, 1).now.mean == approx(3.0)
    assert north.progress.started == 6
    south = analysis_of(digest_harness, {"region": "south"})
    assert goal(south, 1).now.suppressed
    # Two people: the scope itself is too small, so not even its counts are given.
    assert south.too_small and south.progress.started == 0 and not south.comments
    assert not north.too_small


async def test_totals_follow_profile_changes_and_deleted_people(digest_harness: Harness) -> None:
    store, survey = digest_harness.services.store, digest_harness.services.survey
    # A sixth youth rating (5) joins the youth cell: 20/6.
    await add_respondent(
        store, survey,
        Respondent(820001, {"group": "youth", "region": "north"}, {("1.1.1", "now"): 5}),
    )  # fmt: skip
    # k = 2: at 5 the two women's cell would hide youth second.
    assert analysis_of(digest_harness, k=2).breakdowns["group"][("youth", 1, "now")].mean == approx(
        20 / 6
    )
    # Y1 (now 1) deletes their data: youth is 19/5, everyone (2+3+4+5+5+1+1)/7.
    user = await users.get_user(store, 800001)
    assert user is not None
    await users.delete_user(store, user.id)
    analysis = analysis_of(digest_harness, k=2)
    assert analysis.breakdowns["group"][("youth", 1, "now")].mean == approx(19 / 5)
    assert goal(analysis, 1).now.mean == approx(21 / 7)


async def test_progress_counts_completion_stops_invitations_and_comments(
    digest_harness: Harness,
) -> None:
    store, survey = digest_harness.services.store, digest_harness.services.survey
    await users.add_invitation(store, "ABC123", label="Hanoi youth union")
    await add_respondent(
        store, survey,
        Respondent(830001, {"group": "cso", "region": "central"},
                   {("1.1.1", "now"): 3, ("1.2.1", "now"): 2}, submit=False, invitation="ABC123"),
    )  # fmt: skip
    progress = analysis_of(digest_harness).progress
    assert (progress.started, progress.completed) == (9, 8)
    assert (progress.started_in_window, progress.completed_in_window) == (9, 8)
    assert progress.stops == [("1.2.1", "now", 1)]
    assert ("Hanoi youth union", 1, 0) in progress.by_invitation
    assert all("ABC123" not in label for label, _s, _c in progress.by_invitation)
    assert progress.new_comments == 1
    assert len(progress.durations) == 8
