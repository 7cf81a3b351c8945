"""Charts for the digest: PNG bytes, drawn with matplotlib's Agg canvas.

Figures are built without pyplot (no global figure state), so charts can be
drawn in worker threads. DejaVu Sans ships with matplotlib and has every
Vietnamese diacritic. Sized about 1000 px wide: readable on a phone.

No label is ever cut: names are wrapped (never truncated), each row is as
tall as its longest label, and constrained layout sizes the margins from the
text, so titles, tick labels, notes and the legend all stay inside the figure
and apart (tests/digest/test_charts.py checks this geometrically at the
longest titles). Numbers use the digest language's decimal sign (3,4 in
Vietnamese) and the rating axis uses the survey's own scale words.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
import threading
from collections import OrderedDict

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from locales.i18n import translator
from reporting.digest.analysis import Analysis, GoalRow
from reporting.digest.reference import Reference, ReferencePoint
from reporting.digest.scope import choice_label
from reporting.digest.text import number
from survey.model import Survey

matplotlib.use("Agg")
STYLE = {"font.family": "DejaVu Sans", "font.size": 12}
NOW_COLOUR, FORECAST_COLOUR, HIDDEN_COLOUR = "#4C78A8", "#F58518", "#D9D9D9"
WIDTH = 6.4  # inches; 960 px at 150 dpi
# The album's charts are drawn narrower, so a chat showing them 390 px wide shrinks
# them less: 600 px, so 9 pt text (18.75 px) still reads 12 px (test_charts.py).
HEAT_WIDTH = 4.0
DPI = 150
CHAT_WIDTH = 390  # px: a phone's chat column, where Telegram fits the picture
HEAT_WRAP = 16
LINE = 10 * 1.25 / 72  # inches per line of 10 pt text
# Characters per line: goal names beside the bars, group names, scale words under a tick.
LABEL_WRAP, SCALE_WRAP, TITLE_WRAP, LEGEND_WRAP = 24, 11, 48, 30


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    # Constrained layout already fits every label inside the figure, so no
    # bbox_inches="tight" (that would draw the figure twice).
    figure.savefig(out, format="png", dpi=DPI, pil_kwargs={"compress_level": 2})
    return out.getvalue()


def _wrap(text: str, width: int) -> str:
    # Break long words too (a 30-letter name must not run past the margin).
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def _figure(height: float, width: float = WIDTH) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    figure.get_layout_engine().set(w_pad=0.08, h_pad=0.08)  # type: ignore[call-arg]
    return figure


def scale_words(survey: Survey, language: str, wrap: int = SCALE_WRAP) -> list[str]:
    """Tick labels 1-5: the number and the scale word the questions use."""
    return [
        f"{point.value}\n{_wrap(point.label(language), wrap)}"
        for point in survey.scale.points
    ]


def dimension_label(analysis: Analysis, dimension: str, choice: str, language: str) -> str:
    _ = translator(language)
    if choice == "prefer_not":
        return _("Prefer not to say")
    if choice == "":
        return _("Not answered")
    return choice_label(analysis.survey, dimension, choice, language)


def _legend(figure: Figure, handles: list[Patch | Line2D]) -> None:
    labels = [str(handle.get_label()) for handle in handles]
    # All in one row when short; else two columns, so a long reference label stays inside.
    columns = len(handles) if sum(len(label) for label in labels) <= 40 else 2
    figure.legend(
        handles=handles,
        labels=[_wrap(label, LEGEND_WRAP) for label in labels],
        loc="outside lower center",
        ncol=columns,
        frameon=False,
        fontsize=10,
    )


def goals_chart(analysis: Analysis, language: str, reference: Reference | None = None) -> bytes:
    return _png(goals_figure(analysis, language, reference))


def goals_figure(analysis: Analysis, language: str, reference: Reference | None = None) -> Figure:
    """Mean now and forecast per goal, with the official level and an earlier round where set."""
    goals = analysis.goals
    labels = _goal_labels(analysis, language)
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    # Each goal's row is tall enough for its label and for its two bars' notes.
    row_height = max(0.9, LINE * lines + 0.3)
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.4 + row_height * max(len(goals), 1), HEAT_WIDTH)
        axes = figure.add_subplot()
        positions = np.arange(len(goals))[::-1]
        shown_reference = False
        for position, row in zip(positions, goals, strict=True):
            earlier = reference.get(row.sdg) if reference else None
            shown_reference |= _goal_bars(axes, position, row, earlier, analysis.k, language)
        _goal_axes(axes, analysis, language, positions, labels)
        _legend(figure, _goal_legend(analysis, language, reference, shown_reference))
        axes.grid(axis="x", alpha=0.3)
        return figure


def _goal_labels(analysis: Analysis, language: str) -> list[str]:
    """Each goal's tick label: its number and wrapped short title."""
    labels = []
    for row in analysis.goals:
        section = analysis.survey.section(row.section_id)
        title = section.short_title(language) if section else ""
        labels.append(f"SDG {row.sdg}\n" + _wrap(title, HEAT_WRAP))
    return labels


def _goal_bars(
    axes: Axes,
    position: float,
    row: GoalRow,
    earlier: ReferencePoint | None,
    k: int,
    language: str,
) -> bool:
    """A goal's two bars (now above, forecast below) with their numbers, the earlier
    round's marks and the official level; whether an earlier mark was drawn."""
    _ = translator(language)
    height = 0.38
    shown_reference = False
    for offset, mean, colour, before in (
        (height / 2, row.now, NOW_COLOUR, earlier.now if earlier else None),
        (-height / 2, row.forecast, FORECAST_COLOUR, earlier.forecast if earlier else None),
    ):
        if before is not None:
            axes.plot(
                [before], [position + offset], marker="o", markersize=8,
                markerfacecolor="white", markeredgecolor="black", markeredgewidth=1.5,
                linestyle="none", zorder=4,
            )  # fmt: skip
            shown_reference = True
        if mean.mean is None:
            # Inside the bar's own row: the axes' limits keep it below the title.
            axes.text(
                1.05,
                position + offset,
                _("hidden: fewer than {k}").format(k=k) if mean.suppressed else "–",
                va="center",
                fontsize=9,
                color="#666666",
            )
            continue
        axes.barh(position + offset, mean.mean - 1, left=1, height=height, color=colour)
        axes.text(
            mean.mean + 0.05,
            position + offset,
            number(mean.mean, language),
            va="center",
            fontsize=9,
        )
    if row.official is not None:
        axes.plot(
            [row.official.level], [position], marker="D", color="black", markersize=7,
            linestyle="none", zorder=5,
        )  # fmt: skip
    return shown_reference


def _goal_axes(
    axes: Axes, analysis: Analysis, language: str, positions: np.ndarray, labels: list[str]
) -> None:
    """Goal labels down, the survey's scale words across, and the title."""
    _ = translator(language)
    survey = analysis.survey
    axes.set_yticks(positions, labels, fontsize=10)
    axes.set_ylim(-0.6, len(analysis.goals) - 0.4)
    axes.set_xlim(1, 5.6)
    # Words at the two ends only: five would not fit side by side at 600 px.
    words = scale_words(survey, language)
    axes.set_xticks([1, 2, 3, 4, 5], [words[0], "2", "3", "4", words[-1]], fontsize=9)
    axes.set_xlabel(_("Mean rating (1–5)"), fontsize=11)
    # Over the whole figure, not the bars: the goal names take the left half.
    axes.get_figure().suptitle(  # type: ignore[union-attr]
        _wrap(
            _("Goals: {now} and forecast {forecast}").format(
                now=survey.years["now"], forecast=survey.years["forecast"]
            ),
            TITLE_WRAP * 2 // 3,
        ),
        fontsize=12,
    )


def _goal_legend(
    analysis: Analysis, language: str, reference: Reference | None, shown_reference: bool
) -> list[Patch | Line2D]:
    """The two years, and the official level and earlier round when drawn."""
    _ = translator(language)
    years = analysis.survey.years
    handles: list[Patch | Line2D] = [
        Patch(color=NOW_COLOUR, label=str(years["now"])),
        Patch(color=FORECAST_COLOUR, label=str(years["forecast"])),
    ]
    if any(row.official is not None for row in analysis.goals):
        handles.append(
            Line2D([], [], marker="D", color="black", linestyle="none", label=_("Official"))
        )
    if reference is not None and shown_reference:
        label = _("{label} ({now} and {forecast})").format(
            label=reference.label, now=reference.now_year, forecast=reference.forecast_year
        )
        handles.append(
            Line2D(
                [], [], marker="o", markerfacecolor="white", markeredgecolor="black",
                markeredgewidth=1.5, color="black", linestyle="none", label=label,
            )
        )  # fmt: skip
    return handles


def heat_map(analysis: Analysis, language: str, dimension: str = "group") -> bytes:
    return _png(heat_map_figure(analysis, language, dimension))


def heat_map_figure(analysis: Analysis, language: str, dimension: str = "group") -> Figure:
    """Mean rating now per group (rows) and goal (columns); small cells hidden.

    Rows are single choices from the exploded breakdown table: a person who chose
    several groups is in each of their rows, so rows never add up to the total."""
    _ = translator(language)
    means, hidden_cells = analysis.breakdown_grid(dimension, "now")
    choices, goals = list(means.index), list(means.columns)
    values = means.to_numpy() if choices else np.full((1, len(goals)), np.nan)
    hidden = hidden_cells.to_numpy() if choices else np.zeros_like(values, dtype=bool)
    labels = [_wrap(dimension_label(analysis, dimension, c, language), HEAT_WRAP) for c in choices]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    row_height = max(0.5, LINE * lines + 0.15)
    with matplotlib.rc_context(STYLE):
        figure = _figure(2.4 + row_height * max(len(choices), 1), HEAT_WIDTH)
        axes: Axes = figure.add_subplot()
        colours = matplotlib.colormaps["RdYlGn"].with_extremes(bad=HIDDEN_COLOUR)
        image = axes.imshow(
            np.ma.masked_invalid(values), cmap=colours, vmin=1, vmax=5, aspect="auto"
        )
        for i in range(len(choices)):
            for j in range(len(goals)):
                text = (
                    f"<{analysis.k}"
                    if hidden[i, j]
                    else ("" if np.isnan(values[i, j]) else number(values[i, j], language))
                )
                axes.text(j, i, text, ha="center", va="center", fontsize=10)
        # The goal numbers alone above the columns (six "SDG 13" would not fit 600 px).
        axes.set_xticks(range(len(goals)), [str(sdg) for sdg in goals], fontsize=10)
        axes.xaxis.tick_top()
        axes.set_xlabel(_("Goal (SDG)"), fontsize=10)
        axes.xaxis.set_label_position("top")
        axes.set_yticks(range(len(choices)), labels, fontsize=10)
        axes.set_title(
            _wrap(
                _("Mean rating {year} by group").format(year=analysis.survey.years["now"]),
                TITLE_WRAP * 2 // 3,
            ),
            fontsize=12,
        )
        # Below the grid and horizontal: the five scale words get the figure's width,
        # where a short vertical bar beside one or two rows would pile them up.
        bar = figure.colorbar(image, ax=axes, location="bottom", shrink=1.0, aspect=20)
        # Words at the two ends only: five would not fit side by side at 600 px.
        words = scale_words(analysis.survey, language)
        words = [words[0], "2", "3", "4", words[-1]]
        bar.set_ticks([1, 2, 3, 4, 5], labels=words, fontsize=9)
        return figure


# Charts already drawn in this process, by everything they are drawn from
# (``chart_key``): a warm bot's digests of an unchanged round draw nothing again.
_DRAWN: OrderedDict[str, list[bytes]] = OrderedDict()
_DRAWN_SIZE = 16
_DRAWN_LOCK = threading.Lock()


def chart_key(analysis: Analysis, language: str, reference: Reference | None = None) -> str:
    """A digest of all the charts read: the survey file, the language, k, the goal
    rows (means, counts, official levels), the breakdowns and the earlier round.
    Equal keys draw equal PNGs (the figures are a function of these alone)."""
    table = analysis.breakdown_table
    parts = [
        analysis.survey.content_hash,
        language,
        str(analysis.k),
        repr(analysis.goals),
        repr(reference),
        repr(list(table.columns)),
        table.to_csv(index=False),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def forget_drawn() -> None:
    """Draw every chart again from now on (a benchmark's cold digests)."""
    with _DRAWN_LOCK:
        _DRAWN.clear()


def render_charts(
    analysis: Analysis, language: str, reference: Reference | None = None
) -> list[bytes]:
    key = chart_key(analysis, language, reference)
    with _DRAWN_LOCK:
        drawn = _DRAWN.get(key)
        if drawn is not None:
            _DRAWN.move_to_end(key)
            return list(drawn)
    drawn = [goals_chart(analysis, language, reference), heat_map(analysis, language)]
    with _DRAWN_LOCK:
        _DRAWN[key] = drawn
        while len(_DRAWN) > _DRAWN_SIZE:
            _DRAWN.popitem(last=False)
    return list(drawn)
