"""The protected publication: every number any output shows, for one round.

``load`` reads a round's people and sums once (``storage.publication``),
``build`` fixes the family of views and protects it as a whole
(``protect``). Digests, /results, Open SDG files, the workbook and the
privacy audit read views of it; none of them queries ratings on its own.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar

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
from storage.publication import CellSum, Person

__all__ = [
    "COMPLEMENT", "LINKED", "NOT_PUBLISHED", "SMALL", "TOO_SMALL",
    "Publication", "PublicationCache", "Refused", "RowState", "View", "build", "load",
    "reusing",
]  # fmt: skip


def coordinator_scopes(db: sqlite3.Connection) -> list[dict[str, str]]:
    scopes = []
    for text in stored.coordinator_scopes(db):
        value = json.loads(text or "{}")
        if isinstance(value, dict) and value:
            scopes.append({str(k): str(v) for k, v in value.items()})
    return scopes


class PublicationCache:
    """Publications already built in this process, reused when what they are built
    from is read again exactly the same.

    ``build`` is a function of its inputs alone (round, people, sums, k, extra
    scopes; its tie-breaks are fixed): so a publication whose people and sums,
    read afresh from the database for every digest, equal the ones it was
    built from is the one a new build would give, down to every hidden row.
    Any change (one rating, one profile answer, a new coordinator scope) makes
    them differ and the round is built again. Only the protection's work is
    saved; the reads are not. At most ``size`` publications are kept (a digest
    reads the current round's, the previous round's and the providers').
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.hits = 0
        self.builds = 0
        self._entries: OrderedDict[
            tuple[object, ...], tuple[list[Person], list[CellSum], Publication]
        ] = OrderedDict()
        self._lock = threading.Lock()

    def build(
        self,
        round_id: str,
        people: Sequence[Person],
        sums: Sequence[CellSum],
        k: int,
        scopes: Sequence[Mapping[str, str]],
        slot: str = "",
    ) -> Publication:
        """``build``'s publication; ``slot`` only keeps apart publications of the same
        round that are read from different people (the community's, the providers')."""
        key = (slot, round_id, k, tuple(tuple(sorted(scope.items())) for scope in scopes))
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == people and entry[1] == sums:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[2]
        people, sums = list(people), list(sums)
        published = build(round_id, people, sums, k, scopes)
        with self._lock:
            self.builds += 1
            self._entries[key] = (people, sums, published)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return published

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_REUSING: ContextVar[PublicationCache | None] = ContextVar("publications", default=None)


@contextlib.contextmanager
def reusing(cache: PublicationCache | None) -> Iterator[None]:
    """Inside, ``load`` builds through ``cache`` (None: builds every time, as outside)."""
    token = _REUSING.set(cache)
    try:
        yield
    finally:
        _REUSING.reset(token)


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
    cache = _REUSING.get()
    if cache is not None:
        return cache.build(round_id, people, sums, k, extra, audience)
    return build(round_id, people, sums, k, extra)
