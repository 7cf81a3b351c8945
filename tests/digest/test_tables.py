"""The pandas tables behind digests, checked against the hand-computed dataset of conftest.py."""

from __future__ import annotations

import io
import math
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from pytest import approx

from reporting import means
from reporting.digest.analysis import Analysis, analyse, cell_frame, pool
from reporting.digest.charts import heat_map
from reporting.digest.opensdg import opensdg_frame
from reporting.digest.workbook import render_workbook
from reporting.publication import View
from storage.analytics import Cell
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent, published


def analysis_of(h: Harness, k: int = 5) -> Analysis:
    end = datetime.now(UTC) + timedelta(minutes=1)
    return analyse(h.settings.storage.database, h.services.survey, {}, end - timedelta(7), end, k)


async def test_goal_and_indicator_tables_hold_the_hand_computed_numbers(
    digest_harness: Harness,
) -> None:
    analysis = analysis_of(digest_harness)
    goals = analysis.goal_table.set_index("sdg")
    assert list(goals.index) == [s.sdg for s in digest_harness.services.survey.sections]
    # Means leave the publication rounded (2 decimals); growth is of the rounded means.
    now, forecast = round(17 / 7, 2), round(23 / 7, 2)
    assert goals.loc[1, "now_mean"] == now
    assert goals.loc[1, "forecast_mean"] == forecast
    assert goals.loc[1, "growth_percent"] == approx(100 * (forecast - now) / now)
    assert goals.loc[1, "points_per_year"] == approx((forecast - now) / 3)
    assert goals.loc[1, "now_dont_know_share"] == approx(1 / 8)
    # SDG 4: rated by two of the eight, hidden (the mean would be their ratings);
    # nobody rated its forecast. SDG 5: nobody rated it, masked with zero counts.
    assert goals.loc[4, "now_suppressed"] and math.isnan(goals.loc[4, "now_mean"])
    assert goals.loc[4, "forecast_suppressed"] and math.isnan(goals.loc[4, "growth_percent"])
    assert goals.loc[5, "now_suppressed"] and goals.loc[5, "now_rated"] == 0
    items = analysis.indicator_table.set_index("code")
    assert items.loc["1.1.1", "now_respondents"] == 8  # the row's people, not its raters
    assert items.loc["1.1.1", "now_rated"] == 7
    assert items.loc["1.1.1", "forecast_mean"] == forecast
    assert items.loc["4.1.1", "now_suppressed"] and math.isnan(items.loc["4.1.1", "now_mean"])


async def test_breakdown_grid_masks_small_groups(digest_harness: Harness) -> None:
    means, hidden = analysis_of(digest_harness).breakdown_grid("group", "now")
    assert list(means.index) == ["youth", "women"]  # survey order
    # Youth is hidden second: the headline minus youth would give the two women.
    assert hidden.loc["youth", 1] and math.isnan(means.loc["youth", 1])
    assert hidden.loc["women", 1] and math.isnan(means.loc["women", 1])
    # Youth never rated SDG 4: no mean and nothing to hide.
    assert math.isnan(means.loc["youth", 4]) and not hidden.loc["youth", 4]
    # k = 2: the women (2) are enough, but youth minus urban is Y6 alone, so group
    # and region stay hidden; the areas (urban 5, rural 3) are shown.
    means, hidden = analysis_of(digest_harness, k=2).breakdown_grid("group", "now")
    assert hidden.loc["youth", 1] and hidden.loc["women", 1]
    means, hidden = analysis_of(digest_harness, k=2).breakdown_grid("area", "now")
    assert means.loc["urban", 1] == approx(3.0) and means.loc["rural", 1] == approx(1.0)
    assert not hidden.values.any()


def test_pooling_agrees_with_the_results_command() -> None:
    """``pool`` agrees with storage.means.pooled_means: the same cells hidden, the same
    means and shares (rounded as every published mean is, 2 and 3 decimals)."""
    draw = random.Random(4)
    cells = [
        Cell(group, region, "urban", int(item[0]), item, kind, rated, rated * 3, dont_know)
        for group in ("youth", "women", "")
        for region in ("north", "south")
        for item in ("1.1.1", "1.2.1", "4.1.1")
        for kind in ("now", "forecast")
        if draw.random() < 0.8
        for rated, dont_know in [(draw.randint(0, 6), draw.randint(0, 2))]
        if rated or dont_know
    ]
    frame = cell_frame(cells)
    for k in (1, 3, 5, 8):
        expected = means.pooled_means(cells, lambda c: (c.group, c.sdg, c.kind), k)
        pooled = pool(frame, ["group", "sdg", "kind"], k)
        assert set(pooled.index) == set(expected)
        for key, mean in expected.items():
            row = pooled.loc[key]
            assert bool(row["suppressed"]) == mean.suppressed
            assert row["respondents"] == mean.respondents and row["rated"] == mean.rated
            if mean.mean is None:
                assert math.isnan(row["mean"])
            else:
                assert row["mean"] == approx(round(mean.mean, 2))
            share = mean.dont_know_share
            assert math.isnan(row["dont_know_share"]) if share is None else (
                row["dont_know_share"] == approx(round(share, 3))
            )  # fmt: skip


async def test_open_sdg_rows_leave_out_small_and_unpublished_cells(
    digest_harness: Harness,
) -> None:
    h = digest_harness
    everyone = View((), None)
    rows = opensdg_frame(h.services.survey, published(h), everyone)
    assert list(rows.columns) == [
        "Indicator", "Year", "Units", "Series", "Group", "Region", "Area", "Value",
    ]  # fmt: skip
    # 4.1.1 (rated by the two women alone) is not written: it would be their ratings.
    assert set(rows["Indicator"]) == {"1.1.1"}
    now = rows[(rows["Year"] == 2022) & (rows["Indicator"] == "1.1.1")]
    assert list(zip(now["Group"], now["Region"], now["Area"], now["Value"], strict=True)) == [
        ("", "", "", 2.43),
        # Youth, North and Urban (3.0 each) are hidden second: the headline minus any of
        # them gives the two women (or rural: Y6's don't know and the women's 2 ratings).
    ]
    # k = 2: Youth minus Urban would be Y6 alone, so Youth stays out; Urban is in.
    with_k2 = opensdg_frame(h.services.survey, published(h, k=2), everyone)
    now = with_k2[with_k2["Year"] == 2022]
    shown = list(zip(now["Group"], now["Region"], now["Area"], now["Value"], strict=True))
    assert ("", "", "Urban", 3.0) in shown
    assert not any(group == "Youth" for group, *_rest in shown)


async def test_comments_stay_text_in_the_workbook(digest_harness: Harness) -> None:
    h = digest_harness
    await add_respondent(
        h.services.store, h.services.survey,
        Respondent(850001, {"group": "youth"}, {("1.1.1", "now"): 4}, comment="=HYPERLINK(1)"),
    )  # fmt: skip
    book = load_workbook(io.BytesIO(render_workbook(analysis_of(h), "en", ZoneInfo("UTC"))))
    texts = [row[2] for row in book["Comments"].iter_rows(min_row=2)]
    formula = next(cell for cell in texts if cell.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"


async def test_a_digest_before_anyone_answered(harness: Harness) -> None:
    analysis = analysis_of(harness)
    assert analysis.breakdown_table.empty and analysis.goal_table["now_suppressed"].all()
    assert [row.now.mean for row in analysis.goals] == [None] * len(analysis.goals)
    book = load_workbook(io.BytesIO(render_workbook(analysis, "en", ZoneInfo("UTC"))))
    assert book["Breakdowns"].max_row == 1  # the header only
    assert heat_map(analysis, "en").startswith(b"\x89PNG")
