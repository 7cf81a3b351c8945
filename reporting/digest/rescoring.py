"""Re-scoring (issue 20): for each indicator of an action agreed in an earlier round,
the community's mean then and now (and the providers'), each from its round's own
protected publication, in the same view; hidden where either publication hides it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reporting import publication
from reporting.publication import Publication, View
from storage import actions as stored_actions
from storage import publication as stored
from storage.rounds import Round
from survey.model import Survey


@dataclass(frozen=True, slots=True)
class Rescore:
    action_id: int
    status: str
    code: str
    meeting_round: str  # the round the action was agreed in (its title)
    before: float | None  # the community's mean "now" then (None: hidden)
    now: float | None
    providers_before: float | None = None
    providers_now: float | None = None

    @property
    def change(self) -> float | None:
        if self.before is None or self.now is None:
            return None
        return round(self.now - self.before, 2)


# The view's shown "now" mean per indicator (``analysis.indicator_means``), passed in:
# the analysis imports this module, so this one never imports it back.
Means = Callable[[Publication, View], dict[str, float]]


def since_meeting(
    db: sqlite3.Connection,
    survey: Survey,
    view: View,
    listed: Sequence[Round],
    current: Round | None,
    load: Callable[[str], Publication],
    k: int,
    means: Means,
) -> list[Rescore]:
    if current is None:
        return []
    titles = {r.id: r.title or r.id for r in listed}
    earlier = [
        a for a in stored_actions.actions_of(db)
        if a.round_id != current.id and a.round_id in titles
        and all(dict(view.scope).get(d) == c for d, c in _scope(a.scope).items())
    ]  # fmt: skip
    if not earlier:
        return []
    now = means(load(current.id), view)
    providers_now = _providers(db, survey, current.id, view, k, means)
    found: list[Rescore] = []
    cache: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for action in earlier:
        if action.round_id not in cache:
            cache[action.round_id] = (
                means(load(action.round_id), view),
                _providers(db, survey, action.round_id, view, k, means),
            )
        before, providers_before = cache[action.round_id]
        for code in action.codes:
            found.append(
                Rescore(action.id, action.status, code, titles[action.round_id], before.get(code),
                        now.get(code), providers_before.get(code), providers_now.get(code))
            )  # fmt: skip
    return found


def _providers(
    db: sqlite3.Connection, survey: Survey, round_id: str, view: View, k: int, means: Means
) -> dict[str, float]:
    scopes = [dict(view.scope)] if view.scope else []
    published = publication.load(db, survey.id, round_id, k, scopes, stored.PROVIDER)
    return means(published, View(view.scope, None)) if published.people else {}


def _scope(text: str) -> dict[str, str]:
    value = json.loads(text or "{}")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
