"""Service providers' self-assessment beside the community's means (issue 20).

The providers' answers have a publication of their own (``audience=PROVIDER``),
built and protected on their people alone; their means are read from it in the
same view as the community's, never mixed in."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from reporting import publication
from reporting.digest.rescoring import Means
from reporting.publication import View
from storage import publication as stored
from survey.model import Survey

SHOWN = 8


@dataclass(frozen=True, slots=True)
class ProviderGap:
    code: str
    community: float
    providers: float

    @property
    def gap(self) -> float:
        return round(self.providers - self.community, 2)


def provider_gaps(
    db: sqlite3.Connection,
    survey: Survey,
    view: View,
    round_id: str,
    k: int,
    community: dict[str, float],
    means: Means,
) -> tuple[list[ProviderGap], str | None]:
    """Indicators both publications show, the largest gap first; with the providers'
    refusal when there are providers but their view is not published."""
    scopes = [dict(view.scope)] if view.scope else []
    published = publication.load(db, survey.id, round_id, k, scopes, stored.PROVIDER)
    if not published.people:
        return [], None
    plain = View(view.scope, None)  # providers are one group, whatever the mode filter
    refusal = published.view_status(plain)
    if refusal is not None:
        return [], refusal
    providers = means(published, plain)
    found = [
        ProviderGap(code, community[code], providers[code])
        for code in survey.item_by_code
        if code in providers and code in community
    ]
    found.sort(key=lambda gap: (-abs(gap.gap), gap.code))
    return found[:SHOWN], None
