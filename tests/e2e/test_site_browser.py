"""The results site in a real headless browser, at a phone's width and a desktop's.

Opens every page from the folder (file://, as a person would from a USB stick),
follows every link, reads each goal's numbers as rendered and compares them with
the digest's, runs axe-core (shipped by axe-selenium-python) for WCAG 2 A/AA,
checks what a screen reader relies on in the rendered page, and saves
screenshots of a goal page in both languages at both widths (to
``$SCORECARD_SCREENSHOTS`` when set).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from cli.main import main
from reporting.digest.analysis import Analysis, analyse
from storage import actions, users
from storage.actions import NewAction
from storage.store import Store
from survey.model import load_survey
from tests.e2e.test_browser import CHROMEDRIVER, CHROMIUM, IN_CI, _browser_missing
from tests.release.conftest import OFFICIAL, OFFICIAL_TOML, write_config
from tests.release.site_checks import expected_cells, heading_problems

ROOT = Path(__file__).resolve().parents[2]
WIDTHS = (390, 1280)


async def _agree_an_action(database: Path) -> None:
    store = await Store.open(database)
    try:
        admin = await users.ensure_user(store, 1, 1)
        await actions.add(store, admin.id, NewAction(
            round_id="", scope="{}", issue="Trẻ em nghèo thiếu sách vở",
            agreed="Quỹ khuyến học tặng sách vở đầu năm học", organisation="UBND xã",
            role="Chủ tịch", due_on=(date.today() + timedelta(days=60)).isoformat(),
            codes=("1.1.1",), agreed_on=date.today().isoformat(),
        ))  # fmt: skip
    finally:
        await store.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Analysis]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import generate  # type: ignore[import-not-found]

    folder = tmp_path_factory.mktemp("site")
    database = folder / "scorecard.sqlite3"
    survey = load_survey()
    generate(database, 3100, survey, seed=21)
    asyncio.run(_agree_an_action(database))  # the actions table is read and checked too
    config = write_config(folder, database, OFFICIAL_TOML)
    assert main(["--config", str(config), "publish", "--out", str(folder / "site")]) == 0
    end = datetime.now(UTC)
    return folder / "site", analyse(database, survey, {}, end - timedelta(days=7), end, 5, OFFICIAL)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--hide-scrollbars", "--allow-file-access-from-files"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _file(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


def _axe_violations(driver: Any) -> list[str]:
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    result = axe.run(options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result["violations"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_site_reads_right_at_each_width(
    chromium: Any, built: tuple[Path, Analysis], width: int, tmp_path: Path
) -> None:
    site, analysis = built
    chromium.set_window_size(width, 900)
    pages = sorted(site.glob("*.html")) + sorted((site / "en").glob("*.html"))
    assert len(pages) == 2 * (1 + len(analysis.survey.sections))
    followed: set[Path] = set()
    for path in pages:
        chromium.get(path.as_uri())
        language = "en" if path.parent.name == "en" else "vi"
        assert chromium.execute_script("return document.documentElement.lang") == language
        # Nothing wider than the screen: wide tables scroll inside their own box.
        overflow = chromium.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 1, f"{path.name} at {width} px is {overflow} px too wide"
        levels = chromium.execute_script(
            "return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
            ".map(h => Number(h.tagName[1]))"
        )
        assert heading_problems(levels) == [], path
        unlabelled = chromium.execute_script(
            "return [...document.querySelectorAll('svg')].filter(s => s.getAttribute('role')"
            " !== 'img' || !s.querySelector('title') || !s.querySelector('desc')).length"
            " + [...document.querySelectorAll('img')].filter(i => !i.alt).length"
        )
        assert unlabelled == 0, path
        headless_tables = chromium.execute_script(
            "return [...document.querySelectorAll('table')].filter(t => !t.querySelector('th'))"
            ".length"
        )
        assert headless_tables == 0, path
        if width == WIDTHS[0]:
            assert _axe_violations(chromium) == [], path
        if path.stem.startswith("sdg"):
            sdg = int(path.stem[3:])
            shown = chromium.execute_script(
                "return Object.fromEntries([...document.querySelectorAll('[data-key]')]"
                ".map(c => [c.dataset.key, c.innerText.trim()]))"
            )
            expected = expected_cells(analysis, language, sdg)
            assert {key: shown.get(key) for key in expected} == expected, path
        links = chromium.execute_script(
            "return [...document.querySelectorAll('a[href]')].map(a => a.href)"
        )
        for link in links:
            target = _file(link)
            assert link.startswith("file://") and target.is_file(), f"{path.name}: {link}"
            if target.suffix == ".html" and target not in followed:
                followed.add(target)
                chromium.get(link)
                assert chromium.find_elements("css selector", "main h1"), link
                chromium.back()
    assert followed == set(pages)
    shots = Path(os.environ.get("SCORECARD_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    for language, path in (("vi", site / "sdg1.html"), ("en", site / "en" / "sdg1.html")):
        chromium.set_window_size(width, 900)
        chromium.get(path.as_uri())
        height = chromium.execute_script("return document.documentElement.scrollHeight")
        chromium.set_window_size(width, min(height, 6000))
        shot = shots / f"site-sdg1-{language}-{width}.png"
        chromium.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
