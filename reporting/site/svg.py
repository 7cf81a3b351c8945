"""Inline SVG bar charts for the results site: no script, no fonts to fetch.

Each chart is a ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
says what it shows; the page puts the table of the same numbers right under
it, so nobody needs the picture. Hidden rows get no bar and the word for
hidden, never a guessed length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Palette (checked for contrast against white in tests/release/test_site.py).
TEXT = "#1b1b1b"
NOW = "#1f5fa8"  # dark blue
FORECAST = "#a34a00"  # dark orange
OFFICIAL = "#4d4d4d"
MUTED = "#595959"
BACKGROUND = "#ffffff"
PALETTE = {"text": TEXT, "now": NOW, "forecast": FORECAST, "official": OFFICIAL, "muted": MUTED}


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    now: float | None  # None: hidden or nobody rated
    forecast: float | None
    note: str = ""  # said instead of bars (hidden)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    legend: tuple[str, str],
    official: tuple[float, str] | None = None,
    shown: tuple[str, str] = ("", ""),
) -> str:
    """Two bars (now, forecast) per row on the 1-5 scale; ``official``: level and label."""
    label_width, plot_width, row_height, top = 138, 232, 34, 34
    height = top + row_height * len(bars) + 26
    width = label_width + plot_width + 16

    def x(value: float) -> float:
        return label_width + (value - 1) / 4 * plot_width

    parts = [
        f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" viewBox="0 0 {width}'
        f' {height}" width="100%" style="max-width:{width}px" font-size="13"'
        f' font-family="sans-serif" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<rect x="{label_width}" y="4" width="12" height="12" fill="{NOW}"/>'
        f'<text x="{label_width + 16}" y="14" fill="{TEXT}">{escape(legend[0])}</text>'
        f'<rect x="{label_width + 110}" y="4" width="12" height="12" fill="{FORECAST}"/>'
        f'<text x="{label_width + 126}" y="14" fill="{TEXT}">{escape(legend[1])}</text>',
    ]
    for tick in range(1, 6):
        parts.append(
            f'<line x1="{x(tick):.0f}" x2="{x(tick):.0f}" y1="{top - 6}" y2="{height - 22}"'
            f' stroke="#d0d0d0"/><text x="{x(tick):.0f}" y="{height - 8}" fill="{TEXT}"'
            f' text-anchor="middle">{tick}</text>'
        )
    for row, bar in enumerate(bars):
        y = top + row * row_height
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 17}" fill="{TEXT}" text-anchor="end">'
            f"{escape(_short(bar.label))}</text>"
        )
        if bar.note:
            parts.append(
                f'<text x="{label_width + 6}" y="{y + 17}" fill="{MUTED}">{escape(bar.note)}</text>'
            )
            continue
        for offset, value, colour, text in (
            (2, bar.now, NOW, shown[0]),
            (16, bar.forecast, FORECAST, shown[1]),
        ):
            if value is None:
                continue
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{x(value) - label_width:.1f}"'
                f' height="12" fill="{colour}"><title>{escape(text)} {value:.2f}</title></rect>'
            )
    if official is not None:
        level, label = official
        parts.append(
            f'<line x1="{x(level):.1f}" x2="{x(level):.1f}" y1="{top - 6}" y2="{height - 22}"'
            f' stroke="{OFFICIAL}" stroke-width="2" stroke-dasharray="5 3">'
            f"<title>{escape(label)}</title></line>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 18) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
