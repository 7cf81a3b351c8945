"""``scorecard-bot publish``: a static site a person can read, equal to the digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cli.main import main
from reporting.digest.analysis import analyse
from reporting.site import svg
from reporting.site.build import PAGE_BUDGET
from survey.model import load_survey
from tests.release.conftest import OFFICIAL, OFFICIAL_TOML, write_config
from tests.release.site_checks import contrast, expected_cells, heading_problems, read_page


@pytest.fixture(scope="module")
def site(synthetic_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    config = write_config(folder, synthetic_db, OFFICIAL_TOML)
    assert main(["--config", str(config), "publish", "--out", str(folder / "site")]) == 0
    return folder / "site"


def pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html")) + sorted((site / "en").glob("*.html"))


def test_one_page_per_goal_in_both_languages(site: Path) -> None:
    survey = load_survey()
    names = ["index.html", *(f"sdg{s.sdg}.html" for s in survey.sections)]
    assert sorted(p.name for p in site.glob("*.html")) == sorted(names)
    assert sorted(p.name for p in (site / "en").glob("*.html")) == sorted(names)
    for path in pages(site):
        page = read_page(path)
        assert page.lang == ("en" if path.parent.name == "en" else "vi"), path


def test_every_link_leads_to_a_file(site: Path) -> None:
    for path in pages(site):
        for link in read_page(path).links:
            parts = urlsplit(link)
            assert not parts.scheme, f"{path.name}: {link} leaves the site"
            if parts.path:
                assert (path.parent / parts.path).resolve().is_file(), f"{path.name}: {link}"
    downloads = {p.name for p in (site / "downloads").rglob("*") if p.is_file()}
    assert {"sdg_scorecard.csv", "sdg_scorecard.xml", "structure.xml", "opensdg_long.csv",
            "scorecard-vi.xlsx", "scorecard-en.xlsx"} <= downloads  # fmt: skip


def test_each_goal_shows_the_digests_numbers(site: Path, synthetic_db: Path) -> None:
    survey = load_survey()
    end = datetime.now(UTC)
    analysis = analyse(synthetic_db, survey, {}, end - timedelta(days=7), end, 5, OFFICIAL)
    for section in survey.sections:
        for language, folder in (("vi", site), ("en", site / "en")):
            shown = read_page(folder / f"sdg{section.sdg}.html").cells
            expected = expected_cells(analysis, language, section.sdg)
            # Everyone, 7 groups, 3 regions, 3 areas; and SDG 1's gap to the official level.
            assert len(expected) == 2 + 2 * 13 + (section.sdg == 1)
            assert {key: shown.get(key) for key in expected} == expected
    # The index's goal table too.
    index = read_page(site / "index.html").cells
    for row in analysis.goals:
        assert index[f"{row.sdg}:all:now"] == format(row.now.mean, ".2f").replace(".", ",")


def test_pages_are_accessible_and_light(site: Path) -> None:
    heaviest = 0
    for path in pages(site):
        page = read_page(path)
        assert heading_problems(page.headings) == [], path
        assert page.tables and page.tables == page.tables_with_headers, path
        assert page.svgs, path
        for chart in page.svgs:
            assert chart.get("role") == "img" and chart.get("aria-labelledby"), path
        assert page.scripts == 0 and page.external == [], path
        heaviest = max(heaviest, path.stat().st_size)
    assert heaviest <= PAGE_BUDGET, f"heaviest page {heaviest} bytes"
    text = (site / "sdg1.html").read_text(encoding="utf-8")
    assert "Tuyên bố chất lượng" in text and "không phải là mẫu xác suất" in text
    assert "Quality statement" in (site / "en" / "sdg1.html").read_text(encoding="utf-8")


def test_the_palette_has_enough_contrast() -> None:
    # WCAG 2.1: 4.5:1 for text, 3:1 for the bars and lines of a chart.
    for colour in (svg.TEXT, svg.MUTED, svg.NOW):
        assert contrast(colour, svg.BACKGROUND) >= 4.5, colour
    for colour in (svg.FORECAST, svg.OFFICIAL):
        assert contrast(colour, svg.BACKGROUND) >= 3.0, colour


def test_the_gap_to_the_official_level(site: Path) -> None:
    text = (site / "en" / "sdg1.html").read_text(encoding="utf-8")
    assert "Official level (National SDG report 2020)" in text
    assert 'data-key="1:gap">-0.' in text  # citizens' 2.5 or so against 3.2
    assert "No official level is set" in (site / "en" / "sdg4.html").read_text(encoding="utf-8")
