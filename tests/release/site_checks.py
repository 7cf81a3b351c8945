"""Checks of a built results site that a reader would notice: shared by the
static test (tests/release/test_site.py) and the browser test (tests/e2e)."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

from babel.numbers import format_decimal

from reporting.digest.analysis import Analysis


def number(value: float, language: str, sign: bool = False) -> str:
    text = format_decimal(value, format="0.00", locale=language)
    return "+" + text if sign and not text.startswith("-") and text.strip("0,.") else text


def expected_cells(analysis: Analysis, language: str, sdg: int) -> dict[str, str]:
    """data-key -> the text a goal page shows: the digest's numbers, to two decimals."""
    hidden = {"vi": "ẩn", "en": "hidden"}[language]
    cells: dict[str, str] = {}
    row = next(r for r in analysis.goals if r.sdg == sdg)
    for kind, mean in (("now", row.now), ("forecast", row.forecast)):
        cells[f"{sdg}:all:{kind}"] = (
            hidden if mean.suppressed else "–" if mean.mean is None else number(mean.mean, language)
        )
    if row.gap is not None:
        cells[f"{sdg}:gap"] = number(row.gap, language, sign=True)
    for dimension, means in analysis.breakdowns.items():
        for (choice, goal, kind), mean in means.items():
            if goal != sdg or not choice or choice == "prefer_not":
                continue
            key = f"{sdg}:{dimension}:{choice}:{kind}"
            cells[key] = hidden if mean.suppressed else number(mean.mean, language)  # type: ignore[arg-type]
    return cells


class Page(HTMLParser):
    """What a page holds, as an accessibility checker reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.headings: list[int] = []
        self.links: list[str] = []
        self.cells: dict[str, str] = {}
        self.svgs: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.tables = 0
        self.tables_with_headers = 0
        self.scripts = 0
        self.external: list[str] = []
        self._key: str | None = None
        self._text: list[str] = []
        self._in_table = False
        self._table_has_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        for name in ("src", "href"):
            value = attributes.get(name) or ""
            if tag != "a" and re.match(r"^(https?:)?//", value):
                self.external.append(value)
        if tag == "script":
            self.scripts += 1
        if tag == "svg":
            self.svgs.append(attributes)
        if tag == "img":
            self.images.append(attributes)
        if tag == "table":
            self.tables += 1
            self._table_has_th = False
        if tag == "th":
            self._table_has_th = True
        if tag in ("td", "dd") and attributes.get("data-key"):
            self._key, self._text = str(attributes["data-key"]), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._table_has_th:
            self.tables_with_headers += 1
        if tag in ("td", "dd") and self._key is not None:
            self.cells[self._key] = "".join(self._text).strip()
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self._text.append(data)


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def heading_problems(levels: list[int]) -> list[str]:
    """One h1 first, and no level skipped on the way down."""
    problems = []
    if levels[:1] != [1] or levels.count(1) != 1:
        problems.append(f"headings {levels}: one h1, first")
    for before, after in itertools.pairwise(levels):
        if after > before + 1:
            problems.append(f"h{before} then h{after}")
    return problems


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)
