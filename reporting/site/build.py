"""Build the results site into a folder (blocking: run it in a worker thread).

Layout: ``index.html`` and ``sdg1.html`` … in Vietnamese at the root, the
same names in English under ``en/``, and ``downloads/`` with the SDMX files,
the Open SDG files and one workbook per language. Every number on a page
is the digest's for everyone (``reporting.digest.analysis.analyse``, the
current round's protected publication); the workbooks leave out comments
and group sessions' notes, which are free text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from locales.i18n import LANGUAGES
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.opensdg import write_release
from reporting.digest.reference import Reference
from reporting.digest.workbook import render_workbook
from reporting.quality import DESIGNED_BY, texts
from reporting.release import load_release
from reporting.sdmx import write_sdmx
from reporting.site.links import ENGLISH
from reporting.site.pages import Site, all_pages
from storage import analytics
from survey.model import Official, Survey

PAGE_BUDGET = 40_000  # bytes: the heaviest HTML page, everything inline (no other request)


@dataclass(frozen=True, slots=True)
class Built:
    analysis: Analysis
    pages: list[Path]
    downloads: list[Path]
    seconds: float

    @property
    def heaviest(self) -> tuple[Path, int]:
        sizes = [(path, path.stat().st_size) for path in self.pages]
        return max(sizes, key=lambda pair: pair[1])


def build_site(
    database: Path | str,
    survey: Survey,
    out: Path,
    zone: tzinfo,
    k: int = 5,
    overrides: Mapping[int, Official] | None = None,
    reference: Reference | None = None,
    designed_by: str = DESIGNED_BY,
) -> Built:
    started = time.perf_counter()
    end = datetime.now(UTC)
    with analytics.snapshot(database) as db:
        release = load_release(db, survey, k, designed_by)
    analysis = analyse(
        database, survey, {}, end - timedelta(days=7), end, k, overrides,
        publications=release.publications, designed_by=designed_by,
    )  # fmt: skip
    reference = analysis.previous_round or reference
    site = Site(analysis, reference)
    pages = []
    for language in LANGUAGES:
        folder = out / ENGLISH if language == ENGLISH else out
        folder.mkdir(parents=True, exist_ok=True)
        for name, html in all_pages(site, language):
            path = folder / name
            path.write_text(html, encoding="utf-8")
            pages.append(path)
    downloads_folder = out / "downloads"
    downloads = write_release(survey, release, {}, downloads_folder / "opensdg")
    quality = texts(release.quality)
    downloads += write_sdmx(survey, release.parts, downloads_folder / "sdmx", quality)[0]
    public = replace(analysis, comments=[], sessions=[])  # free text stays out
    for language in LANGUAGES:
        path = downloads_folder / f"scorecard-{language}.xlsx"
        path.write_bytes(render_workbook(public, language, zone, reference))
        downloads.append(path)
    return Built(analysis, pages, downloads, time.perf_counter() - started)
