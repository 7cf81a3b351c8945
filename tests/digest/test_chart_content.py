"""The charts show the numbers of the hand-computed dataset (tests/digest/conftest.py):
bar lengths, value labels, the official level, hidden cells, the heat map's colours
(each cell as the analysis has it, hidden ones grey)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from reporting.digest.analysis import Analysis, analyse
from reporting.digest.charts import FORECAST_COLOUR, NOW_COLOUR, goals_figure, heat_map_figure
from survey.model import Official
from tests.auxil.harness import Harness

NOW_SDG1, FORECAST_SDG1 = round(17 / 7, 2), round(23 / 7, 2)  # means leave rounded


def _analysis(harness: Harness) -> Analysis:
    end = datetime.now(UTC)
    return analyse(
        harness.settings.storage.database, harness.services.survey, {}, end - timedelta(7), end,
        overrides={1: Official(level=4.0, source="National report 2020")},
    )  # fmt: skip


def _row_of(analysis: Analysis, sdg: int) -> float:
    """The y position of a goal's row (the first goal is drawn at the top)."""
    goals = [row.sdg for row in analysis.goals]
    return float(len(goals) - 1 - goals.index(sdg))


def _texts_near(axes: object, y: float) -> list[str]:
    return [
        text.get_text()
        for text in axes.findobj(Text)  # type: ignore[attr-defined]
        if text.get_text().strip() and abs(text.get_position()[1] - y) < 0.45
    ]


@pytest.mark.parametrize("language", ["en", "vi"])
async def test_goal_bars_are_as_long_as_the_means_and_labelled_with_them(
    digest_harness: Harness, language: str
) -> None:
    analysis = _analysis(digest_harness)
    figure = goals_figure(analysis, language)
    axes = figure.axes[0]
    every_bar = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    # SDG 1's two bars only: SDG 4 was rated by two people (hidden), nobody rated
    # its forecast.
    assert len(every_bar) == 2
    y = _row_of(analysis, 1)
    bars = [bar for bar in every_bar if abs(bar.get_y() + bar.get_height() / 2 - y) < 0.5]
    assert len(bars) == 2
    now, forecast = sorted(bars, key=lambda bar: -bar.get_y())  # "now" is the upper bar
    for bar, mean, colour in (
        (now, NOW_SDG1, NOW_COLOUR),
        (forecast, FORECAST_SDG1, FORECAST_COLOUR),
    ):
        assert bar.get_x() == pytest.approx(1)  # bars start at the scale's 1
        assert bar.get_x() + bar.get_width() == pytest.approx(mean)
        assert abs(bar.get_y() + bar.get_height() / 2 - y) < 0.5
        assert np.allclose(bar.get_facecolor()[:3], _rgb(colour))
    labels = _texts_near(axes, y)
    comma = "," if language == "vi" else "."
    assert f"2{comma}4" in labels and f"3{comma}3" in labels
    # The official level: a diamond at 4.0 on SDG 1's row.
    diamonds = [line for line in axes.lines if line.get_marker() == "D"]
    assert [(float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in diamonds] == [
        (4.0, y)
    ]
    # SDG 4: no bar, and a note saying it is hidden (two people rated it now).
    y4 = _row_of(analysis, 4)
    assert not [bar for bar in every_bar if abs(bar.get_y() + bar.get_height() / 2 - y4) < 0.5]
    notes = [t for t in _texts_near(axes, y4) if str(analysis.k) in t]
    assert notes


async def test_heat_map_colours_shown_cells_and_masks_hidden_ones(
    digest_harness: Harness,
) -> None:
    analysis = _analysis(digest_harness)
    figure = heat_map_figure(analysis, "en")
    axes = figure.axes[0]
    means, hidden = analysis.breakdown_grid("group", "now")
    grid = axes.images[0].get_array()
    cells = {
        (round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in axes.texts
    }
    for i, choice in enumerate(means.index):
        for j, goal in enumerate(means.columns):
            if hidden.loc[choice, goal]:  # hidden first or second: grey, "<5"
                assert np.ma.is_masked(grid[i, j]) and cells[(i, j)] == "<5", (choice, goal)
            elif np.isnan(means.loc[choice, goal]):
                assert np.ma.is_masked(grid[i, j]) and cells[(i, j)] == ""
            else:
                assert grid[i, j] == pytest.approx(means.loc[choice, goal])
                assert cells[(i, j)] == f"{means.loc[choice, goal]:.1f}"
    # Two women rated SDG 1: never coloured, whatever else is hidden with them.
    women, sdg1 = list(means.index).index("women"), list(means.columns).index(1)
    assert np.ma.is_masked(grid[women, sdg1]) and cells[(women, sdg1)] == "<5"


def _rgb(colour: str) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)
