"""Charts for the digest: PNG bytes, drawn with matplotlib's Agg canvas.

Figures are built without pyplot (no global figure state), so charts can be
drawn in worker threads. DejaVu Sans ships with matplotlib and has every
Vietnamese diacritic. Sized about 1000 px wide: readable on a phone.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.digest.analysis import Analysis
from bot.digest.scope import choice_label
from conversations.i18n import translator

matplotlib.use("Agg")
STYLE = {"font.family": "DejaVu Sans", "font.size": 12}
NOW_COLOUR, FORECAST_COLOUR, HIDDEN_COLOUR = "#4C78A8", "#F58518", "#D9D9D9"


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    # Fixed margins instead of bbox_inches="tight": one draw instead of two.
    figure.savefig(out, format="png", dpi=150, pil_kwargs={"compress_level": 2})
    return out.getvalue()


def dimension_label(analysis: Analysis, dimension: str, choice: str, language: str) -> str:
    _ = translator(language)
    if choice == "prefer_not":
        return _("Prefer not to say")
    if choice == "":
        return _("Not answered")
    return choice_label(analysis.survey, dimension, choice, language)


def goals_chart(analysis: Analysis, language: str) -> bytes:
    """Mean now and forecast per goal, with the official level where set."""
    _ = translator(language)
    survey = analysis.survey
    goals = analysis.goals
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.4, 1.0 + 0.9 * len(goals)))
        axes = figure.add_subplot()
        figure.subplots_adjust(left=0.3, right=0.97, top=0.93, bottom=0.16)
        positions = np.arange(len(goals))[::-1]
        height = 0.38
        labels = []
        for position, row in zip(positions, goals, strict=True):
            section = survey.section(row.section_id)
            title = section.short_title(language) if section else ""
            labels.append(f"SDG {row.sdg}\n" + "\n".join(textwrap.wrap(title, 24)[:2]))
            for offset, mean, colour in (
                (height / 2, row.now, NOW_COLOUR),
                (-height / 2, row.forecast, FORECAST_COLOUR),
            ):
                if mean.mean is None:
                    axes.text(
                        1.05,
                        position + offset,
                        _("hidden: fewer than {k}").format(k=analysis.k)
                        if mean.suppressed
                        else "–",
                        va="center",
                        fontsize=9,
                        color="#666666",
                    )
                    continue
                axes.barh(position + offset, mean.mean - 1, left=1, height=height, color=colour)
                axes.text(
                    mean.mean + 0.05, position + offset, f"{mean.mean:.1f}", va="center", fontsize=9
                )
            if row.official is not None:
                axes.plot(
                    [row.official.level],
                    [position],
                    marker="D",
                    color="black",
                    markersize=7,
                    linestyle="none",
                )
        axes.set_yticks(positions, labels, fontsize=10)
        axes.set_xlim(1, 5.6)
        axes.set_xticks([1, 2, 3, 4, 5])
        axes.set_xlabel(_("Mean rating (1–5)"))
        axes.set_title(
            _("Goals: {now} and forecast {forecast}").format(
                now=survey.years["now"], forecast=survey.years["forecast"]
            ),
            fontsize=13,
        )
        handles = [
            Patch(color=NOW_COLOUR, label=str(survey.years["now"])),
            Patch(color=FORECAST_COLOUR, label=str(survey.years["forecast"])),
        ]
        if any(row.official is not None for row in goals):
            handles.append(
                Line2D([], [], marker="D", color="black", linestyle="none", label=_("Official"))
            )
        axes.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, -0.1 - 0.6 / len(goals)),
            ncol=3,
            frameon=False,
        )
        axes.grid(axis="x", alpha=0.3)
        return _png(figure)


def heat_map(analysis: Analysis, language: str, dimension: str = "group") -> bytes:
    """Mean rating now per group (rows) and goal (columns); small cells hidden.

    Rows are single choices from the exploded breakdown table: a person who chose
    several groups is in each of their rows, so rows never add up to the total."""
    _ = translator(language)
    means, hidden_cells = analysis.breakdown_grid(dimension, "now")
    choices, goals = list(means.index), list(means.columns)
    values = means.to_numpy() if choices else np.full((1, len(goals)), np.nan)
    hidden = hidden_cells.to_numpy() if choices else np.zeros_like(values, dtype=bool)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.4, 1.6 + 0.6 * max(len(choices), 1)))
        axes = figure.add_subplot()
        figure.subplots_adjust(left=0.3, right=0.98, top=0.9, bottom=0.1)
        colours = matplotlib.colormaps["RdYlGn"].with_extremes(bad=HIDDEN_COLOUR)
        image = axes.imshow(
            np.ma.masked_invalid(values), cmap=colours, vmin=1, vmax=5, aspect="auto"
        )
        for i in range(len(choices)):
            for j in range(len(goals)):
                text = (
                    f"<{analysis.k}"
                    if hidden[i, j]
                    else ("" if np.isnan(values[i, j]) else f"{values[i, j]:.1f}")
                )
                axes.text(j, i, text, ha="center", va="center", fontsize=10)
        axes.set_xticks(range(len(goals)), [f"SDG {sdg}" for sdg in goals], fontsize=10)
        axes.set_yticks(
            range(len(choices)),
            [dimension_label(analysis, dimension, c, language)[:24] for c in choices],
            fontsize=10,
        )
        axes.set_title(
            _("Mean rating {year} by group").format(year=analysis.survey.years["now"]), fontsize=13
        )
        figure.colorbar(image, ax=axes, shrink=0.8)
        return _png(figure)


def render_charts(analysis: Analysis, language: str) -> list[bytes]:
    return [goals_chart(analysis, language), heat_map(analysis, language)]
