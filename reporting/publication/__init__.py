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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import TypeVar

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
    "remembered", "remembered_survey", "reusing",
]  # fmt: skip

T = TypeVar("T")


def coordinator_scopes(db: sqlite3.Connection) -> list[dict[str, str]]:
    scopes = []
    for text in stored.coordinator_scopes(db):
        value = json.loads(text or "{}")
        if isinstance(value, dict) and value:
            scopes.append({str(k): str(v) for k, v in value.items()})
    return scopes


class PublicationCache:
    """Publications already built in this process, and what is worked out from an
    unchanged round, reused while the round is known to be unchanged.

    A round is known unchanged in two ways. Its change mark (``storage.publication
    .round_mark``: moved by every answer, response, consent, invitation or
    pseudonym change of the round) reads back the same: then nothing is read
    again. Or, with a moved mark, its people and sums, read afresh, equal the ones
    the publication was built from: ``build`` is a function of its inputs alone
    (round, people, sums, k, extra scopes; its tie-breaks are fixed), so it is
    the publication a new build would give, down to every hidden row, and only
    the protection's work is saved. Anything else moves the mark and the round
    is read again. At most ``size`` publications are kept (a digest reads the
    current round's, the previous round's and the providers'), and ``size * 8``
    derived values (``remember``).
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.hits = 0  # publications reused (by the mark or by equal reads)
        self.marked_hits = 0  # of which by the mark alone, nothing read
        self.builds = 0
        self._entries: OrderedDict[
            tuple[object, ...], tuple[list[Person], list[CellSum], Publication, object]
        ] = OrderedDict()
        self._derived: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(
        survey_id: str, round_id: str, k: int, scopes: Sequence[Mapping[str, str]], slot: str
    ) -> tuple[object, ...]:
        return (
            slot, survey_id, round_id, k, tuple(tuple(sorted(scope.items())) for scope in scopes)
        )  # fmt: skip

    def marked(
        self,
        survey_id: str,
        round_id: str,
        k: int,
        scopes: Sequence[Mapping[str, str]],
        slot: str,
        mark: object,
    ) -> Publication | None:
        """The publication kept for the round at this very ``mark``; None otherwise."""
        if mark is None:
            return None
        with self._lock:
            entry = self._entries.get(self._key(survey_id, round_id, k, scopes, slot))
            if entry is None or entry[3] != mark:
                return None
            self._entries.move_to_end(self._key(survey_id, round_id, k, scopes, slot))
            self.hits += 1
            self.marked_hits += 1
            return entry[2]

    def build(
        self,
        round_id: str,
        people: Sequence[Person],
        sums: Sequence[CellSum],
        k: int,
        scopes: Sequence[Mapping[str, str]],
        slot: str = "",
        mark: object = None,
        survey_id: str = "",
    ) -> Publication:
        """``build``'s publication; ``slot`` only keeps apart publications of the same
        round that are read from different people (the community's, the providers').
        ``mark``: the round's change mark, read before ``people`` and ``sums``."""
        key = self._key(survey_id, round_id, k, scopes, slot)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == people and entry[1] == sums:
                self._entries[key] = (entry[0], entry[1], entry[2], mark)
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[2]
        people, sums = list(people), list(sums)
        published = build(round_id, people, sums, k, scopes)
        with self._lock:
            self.builds += 1
            self._entries[key] = (people, sums, published, mark)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return published

    def remember(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """``compute()``, kept under ``key`` (which holds a round's mark): worked out
        once while the round is unchanged."""
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return self._derived[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._derived[key] = value
            while len(self._derived) > self.size * 8:
                self._derived.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._derived.clear()


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
    cache = _REUSING.get()
    mark = None if cache is None else stored.round_mark(db, survey_id, round_id)
    if cache is not None:
        kept = cache.marked(survey_id, round_id, k, extra, audience, mark)
        if kept is not None:
            return kept
    people = stored.people(db, survey_id, round_id, audience)
    sums = stored.cell_sums(db, survey_id, round_id, audience)
    if cache is not None:
        return cache.build(round_id, people, sums, k, extra, audience, mark, survey_id)
    return build(round_id, people, sums, k, extra)


def remembered(
    db: sqlite3.Connection,
    survey_id: str,
    round_id: str,
    key: tuple[object, ...],
    compute: Callable[[], T],
) -> T | None:
    """``compute()`` (reads of the round only, and pure work on them), kept by the
    ``reusing`` cache while the round's change mark reads back the same; None
    outside one, or for a round with no mark yet: the caller reads as it would."""
    cache = _REUSING.get()
    mark = None if cache is None else stored.round_mark(db, survey_id, round_id)
    if cache is None or mark is None:
        return None
    return cache.remember((survey_id, round_id, mark, *key), compute)


def remembered_survey(
    db: sqlite3.Connection, survey_id: str, key: tuple[object, ...], compute: Callable[[], T]
) -> T | None:
    """As ``remembered``, for reads of every round of the survey: kept while no round's
    mark moves and no round gains one (``storage.publication.survey_marks``)."""
    cache = _REUSING.get()
    marks = None if cache is None else stored.survey_marks(db, survey_id)
    if cache is None or marks is None:
        return None
    return cache.remember((survey_id, "every round", marks, *key), compute)
