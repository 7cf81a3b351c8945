"""The protected publication: every number any output shows, for one round.

``load`` reads a round's people and sums once (``storage.publication``),
``build`` fixes the family of views and protects it as a whole
(``protect``). Digests, /results, Open SDG files, the workbook and the
privacy audit read views of it; none of them queries ratings on its own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping

from reporting.publication.build import (
    COMPLEMENT,
    NOT_PUBLISHED,
    TOO_SMALL,
    Publication,
    Refused,
    RowState,
    View,
    build,
)
from reporting.publication.protect import LINKED, SMALL
from storage import publication as stored

__all__ = [
    "COMPLEMENT", "LINKED", "NOT_PUBLISHED", "SMALL", "TOO_SMALL",
    "Publication", "Refused", "RowState", "View", "build", "load",
]  # fmt: skip


def coordinator_scopes(db: sqlite3.Connection) -> list[dict[str, str]]:
    scopes = []
    for text in stored.coordinator_scopes(db):
        value = json.loads(text or "{}")
        if isinstance(value, dict) and value:
            scopes.append({str(k): str(v) for k, v in value.items()})
    return scopes


def load(
    db: sqlite3.Connection,
    survey_id: str,
    round_id: str,
    k: int,
    scopes: Iterable[Mapping[str, str]] | None = None,
    audience: str = stored.COMMUNITY,
) -> Publication:
    """The round's publication; ``scopes`` defaults to the coordinators' stored scopes.
    ``audience`` is the community's answers (default) or the service providers' own
    self-assessment (``stored.PROVIDER``), each protected on its own people."""
    extra = coordinator_scopes(db) if scopes is None else list(scopes)
    people = stored.people(db, survey_id, round_id, audience)
    sums = stored.cell_sums(db, survey_id, round_id, audience)
    return build(round_id, people, sums, k, extra)
