"""The numbers: the hand-computed dataset of conftest.py, asserted exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytest import approx

from bot.coordinator.delivery import official_overrides
from reporting.digest.analysis import Analysis, analyse
from reporting.publication import LINKED, SMALL, View
from storage import users
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent, published, woman


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
    # Means leave the publication rounded to 2 decimals (17/7, 23/7): growth and
    # gap are of the rounded means, as every output shows them.
    now, forecast = round(17 / 7, 2), round(23 / 7, 2)
    assert (sdg1.now.mean, sdg1.forecast.mean) == (2.43, 3.29) == (now, forecast)
    assert sdg1.change.percent == approx(100 * (forecast - now) / now)
    assert sdg1.change.per_year == approx((forecast - now) / 3)
    assert sdg1.now.dont_know_share == approx(1 / 8)  # the skip is not an answer
    assert sdg1.forecast.rated == 7 and sdg1.forecast.dont_know == 0
    assert sdg1.now.respondents == 8  # the people of the row, not the most raters
    assert sdg1.official is not None and sdg1.official.source == "National report 2020"
    assert sdg1.gap == approx(now - 4.0)


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
    assert goal(analysis, 1).now.mean == approx(round(17 / 7, 2))
    # One decision per set of people, taken by the publication: the women (2) are
    # too few, youth and north (the same six people) hidden so they cannot be
    # worked out, with the rural ones (Y6 and the women: 3) too few themselves.
    everyone = View((), None)
    at_five = published(digest_harness)
    assert at_five.row(everyone, ("group", "women")).hidden == SMALL
    assert at_five.row(everyone, ("group", "youth")).hidden == LINKED
    assert at_five.row(everyone, ("region", "north")).hidden == LINKED
    assert at_five.row(everyone, ("area", "rural")).hidden == SMALL
    # A shown row of eight people does not show a mean only two of them rated:
    # SDG 4 (rated by the two women alone) would be their ratings.
    sdg4 = goal(analysis, 4)
    assert sdg4.now.suppressed and sdg4.now.mean is None
    assert at_five.mean_state(everyone, None, 4).hidden == SMALL
    assert at_five.mean_state(everyone, None, "4.1.1").hidden == SMALL
    assert [row.code for row in analysis.ranked_indicators()] == ["1.1.1"]
    # With k = 2 the women (2) may be shown, but Y6 alone (the rural youth) is a
    # small set: youth minus urban would single them out, so group and region
    # stay hidden and the area breakdown (urban 5, rural 3) is shown.
    small = analysis_of(digest_harness, k=2)
    at_two = published(digest_harness, k=2)
    assert at_two.row(everyone, ("group", "youth")).hidden == LINKED
    assert small.breakdowns["group"][("youth", 1, "now")].mean is None
    assert small.breakdowns["area"][("urban", 1, "now")].mean == approx(3.0)
    assert small.breakdowns["area"][("urban", 1, "forecast")].mean == approx(19 / 5)
    assert small.breakdowns["area"][("rural", 1, "now")].mean == approx(1.0)
    assert small.breakdowns["area"][("rural", 4, "now")].mean == approx(4.0)
    assert goal(small, 4).now.mean == approx(4.0)


async def test_scope_limits_every_number(digest_harness: Harness) -> None:
    # Everyone (8) minus north (6) would give the two southern women away: north's
    # own row is hidden, its counts with it (the window's too), though the view
    # itself is published.
    hidden = analysis_of(digest_harness, {"region": "north"})
    assert not hidden.too_small and goal(hidden, 1).now.mean is None
    assert hidden.progress.started is None and hidden.progress.completed is None
    assert hidden.progress.started_in_window is None
    assert hidden.progress.completed_in_window is None and not hidden.progress.durations
    south = analysis_of(digest_harness, {"region": "south"})
    assert goal(south, 1).now.suppressed
    # Two people: the scope itself is too small, so not even its counts are given.
    assert south.too_small and south.progress.started == 0 and not south.comments
    # Three more southern (rural) women: urban (Y1..Y5) is shown, with its own
    # numbers only. North minus urban would be Y6 alone, so north and south are
    # hidden second instead.
    store, survey = digest_harness.services.store, digest_harness.services.survey
    for n in (3, 4, 5):
        await add_respondent(store, survey, woman(n, 1, 2, 3))
    urban = analysis_of(digest_harness, {"area": "urban"})
    assert not urban.too_small and urban.refusal is None
    assert goal(urban, 1).now.mean == approx(3.0) and goal(urban, 1).now.respondents == 5
    assert goal(urban, 1).forecast.mean == approx(19 / 5)
    assert goal(urban, 4).now.mean is None  # only the women rated SDG 4
    assert urban.progress.started == 5 and urban.progress.completed == 5
    assert goal(analysis_of(digest_harness), 1).now.respondents == 11
    assert goal(analysis_of(digest_harness, {"region": "north"}), 1).now.mean is None


async def test_totals_follow_profile_changes_and_deleted_people(digest_harness: Harness) -> None:
    store, survey = digest_harness.services.store, digest_harness.services.survey
    # A sixth youth rating (5) joins the youth cell: 20/6.
    await add_respondent(
        store, survey,
        Respondent(820001, {"group": "youth", "region": "north"}, {("1.1.1", "now"): 5}),
    )  # fmt: skip
    # k = 2: at 5 the two women's cell would hide youth second. The newcomer left
    # area unanswered: youth minus urban is two people now (Y6 and them).
    analysis = analysis_of(digest_harness, k=2)
    youth_now = analysis.breakdowns["group"][("youth", 1, "now")]
    assert youth_now.mean == approx(round(20 / 6, 2)) and youth_now.respondents == 7
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
    # k = 1: every count is shown (nobody is too few).
    progress = analysis_of(digest_harness, k=1).progress
    assert (progress.started, progress.completed) == (9, 8)
    assert (progress.started_in_window, progress.completed_in_window) == (9, 8)
    assert progress.stops == [("1.2.1", "now", 1)]
    assert ("Hanoi youth union", 1, None) in progress.by_invitation  # started only
    assert all("ABC123" not in label for label, _s, _c in progress.by_invitation)
    assert progress.by_mode == [("self", 9, None)]
    assert progress.new_comments == 1
    assert len(progress.durations) == 8
    # k = 5: 9 started minus 8 completed is the one person still answering, and
    # one invitee, one stop, one new comment are too few: none of them is given.
    progress = analysis_of(digest_harness).progress
    assert progress.started == 9 and progress.completed is None
    assert progress.started_in_window == 9 and progress.completed_in_window is None
    assert progress.stops == [] and not progress.durations
    assert ("Hanoi youth union", None, None) in progress.by_invitation
    assert progress.new_comments is None
