"""One digest, end to end: analysis, text, charts and workbook (blocking; run in a thread)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from reporting import publication
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.charts import render_charts
from reporting.digest.reference import Reference
from reporting.digest.text import render_text
from reporting.digest.workbook import render_workbook
from reporting.quality import DESIGNED_BY
from survey.model import Official, Survey


@dataclass(frozen=True, slots=True)
class Digest:
    analysis: Analysis
    text: str  # Telegram HTML, at most 4096 characters
    charts: list[bytes]  # PNG: goals now vs forecast, group x goal heat map
    workbook: bytes  # XLSX

    def write(self, folder: Path) -> list[Path]:
        """Write the text, charts and workbook as files (the CLI's ``digest --out``)."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = [
            folder / "digest.html",
            folder / "goals.png",
            folder / "groups.png",
            folder / "digest.xlsx",
        ]
        paths[0].write_text(self.text, encoding="utf-8")
        paths[1].write_bytes(self.charts[0])
        paths[2].write_bytes(self.charts[1])
        paths[3].write_bytes(self.workbook)
        return paths


def build_digest(
    database: Path | str,
    survey: Survey,
    scope: Mapping[str, str],
    start: datetime,
    end: datetime,
    language: str,
    zone: tzinfo,
    k: int = 5,
    overrides: Mapping[int, Official] | None = None,
    max_comments: int = 5000,
    reference: Reference | None = None,
    mode: str | None = None,
    designed_by: str = DESIGNED_BY,
    site_url: str | None = None,
    publications: publication.PublicationCache | None = None,
) -> Digest:
    """``publications``: a process's cache of built publications (the bot keeps one),
    reused while a round's people and sums are read back unchanged."""
    with publication.reusing(publications):
        analysis = analyse(
            database, survey, scope, start, end, k, overrides, max_comments, mode,
            designed_by=designed_by,
        )  # fmt: skip
    # The bot's own previous round, when there is one, is the earlier round compared.
    reference = analysis.previous_round or reference
    return Digest(
        analysis,
        render_text(analysis, language, zone, reference, site_url),
        render_charts(analysis, language, reference),
        render_workbook(analysis, language, zone, reference),
    )
