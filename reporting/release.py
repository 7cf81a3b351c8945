"""One release: every round's protected publication and the quality statement, read at once.

The Open SDG files, the SDMX files and the results site of one release are
built from the same ``Release`` (one read-only snapshot, each round's
publication built once), so they agree with each other and cost one build
of each publication, however many files are written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from reporting import publication
from reporting.publication import Publication
from reporting.quality import DESIGNED_BY, QualityStatement, statement
from storage import analytics, versions
from storage.rounds import rounds_of
from survey.model import Survey

Part = tuple[Publication, dict[str, int]]  # a round's publication and its years


@dataclass(frozen=True, slots=True)
class Release:
    parts: list[Part]  # oldest round first; one part for the survey's years without rounds
    current: Publication  # the open round's, else the latest's
    quality: QualityStatement

    @property
    def publications(self) -> dict[str, Publication]:
        """round id -> publication, for ``analyse(publications=...)``."""
        return {published.round_id: published for published, _years in self.parts}


def load_release(
    db: sqlite3.Connection, survey: Survey, k: int, designed_by: str = DESIGNED_BY
) -> Release:
    listed = rounds_of(db)
    parts: list[Part] = [
        (publication.load(db, survey.id, r.id, k), {"now": r.now_year, "forecast": r.forecast_year})
        for r in listed
    ] or [(publication.load(db, survey.id, "", k), dict(survey.years))]
    current_round = next((r for r in listed if r.is_open), listed[-1] if listed else None)
    current_id = current_round.id if current_round else ""
    current = next(p for p, _years in parts if p.round_id == current_id)
    quality = statement(
        survey,
        current,
        current_round,
        versions.versions_in_use(db, survey.id),
        len(analytics.session_records(db, survey.id, {})),
        designed_by,
    )
    return Release(parts, current, quality)
