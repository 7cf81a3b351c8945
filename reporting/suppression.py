"""Secondary cell suppression: no hidden number can be worked out from the shown ones.

Primary suppression hides a row (a mean with its respondents and don't-know
share) with fewer than ``k`` respondents. That alone is not enough: a total
minus the rows that are shown can equal the hidden row (the headline minus
Youth and Women gives a hidden group of 3). This module decides which further
rows to hide.

**Model.** Every published number of a table is a sum over *atoms*: one
atom is one ``rating_totals`` cell of one indicator (a stored combination of
group, region and area). A row is the set of its atoms: the headline holds
all of them, the Women row every atom whose group answer contains ``women``
(so overlapping groups are modelled exactly), a goal's row the atoms of its
indicators, the "prefer not to say" and unanswered remainders theirs. The
sums a row publishes (ratings, their total, don't-know answers) are the
row's 0/1 vector times the atoms' unknown values. A hidden row's sums follow
from the published ones by addition and subtraction exactly when its vector
is a linear combination of the published rows' vectors (it lies in their
row space); that is checked with ranks (numpy), computed on the rows'
shared-atom counts ``M Mᵀ`` (class ``Gram``), small whatever the number of cells.

**Rule.** Repeat until nothing changes: for each kind ("now", forecast) and
each row that must stay hidden (fewer than ``k`` respondents, whether
published or a remainder the table never shows), if it lies in the span of
the shown rows, hide one more shown row among those taking part in working
it out: breakdown rows before indicators, indicators before the headline,
the smallest (fewest respondents, both kinds together) first, preferring
one of the same priority whose hiding alone stops the derivation. A row hidden in one kind is
hidden in both, so "now" and the forecast of a row are shown or hidden
together. The loop ends: each round hides one more row.

**Guarantee and limits.** Within one output (one table family passed
together), no small row's sums are a linear combination of shown sums.
Bounds are not covered (a hidden pair's combined total is still known, so
each lies within a range), nor are combinations of different outputs
(two coordinators' scopes, or a scoped and an unscoped digest), nor are
cells that are never rows (a combination such as "youth disability" on its
own): see docs/coordinators.md, "What the numbers mean".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)
Atom = Hashable


@dataclass(slots=True)
class Line:
    """One row of a table: per kind, its atoms and its respondents (the primary rule's count)."""

    atoms: dict[str, set[Atom]] = field(default_factory=dict)
    respondents: dict[str, int] = field(default_factory=dict)
    published: bool = True  # False: a remainder the table never shows (still protected)
    priority: int = 0  # rows of a lower priority are hidden second first (0: breakdowns)

    def small(self, k: int) -> bool:
        """Fewer than ``k`` respondents in a kind in which the row has answers."""
        return any(self.respondents.get(kind, 0) < k for kind, atoms in self.atoms.items() if atoms)

    def size(self) -> int:
        return sum(self.respondents.values())


class Gram:
    """Shared-atom counts of every pair of rows in one kind: ``G = M Mᵀ`` for the rows'
    0/1 matrix ``M`` over atoms. Rank questions about rows only need ``G``:
    ``rank(M_S) = rank(G_SS)``, a matrix as small as the number of rows, however
    many atoms (cells) there are."""

    def __init__(self, sets: Mapping[Key, set[Atom]]) -> None:
        self.index = {key: number for number, key in enumerate(sets)}
        columns: dict[Atom, int] = {}
        rows, cols = [], []
        for number, atoms in enumerate(sets.values()):
            for atom in atoms:
                rows.append(number)
                cols.append(columns.setdefault(atom, len(columns)))
        matrix = np.zeros((len(sets), max(len(columns), 1)), dtype=np.float64)
        matrix[rows, cols] = 1.0
        self.gram = matrix @ matrix.T  # exact: integer counts far below 2**53

    def _rank(self, keys: list[Key]) -> int:
        if not keys:
            return 0
        picked = [self.index[key] for key in keys]
        values = np.linalg.eigvalsh(self.gram[np.ix_(picked, picked)])
        # Generous on purpose: a value taken for zero can only make a row count as
        # derivable (one more row hidden), never the other way round.
        return int(np.sum(values > 1e-9 * max(values.max(), 1.0)))

    def derivable(self, target: Key, shown: list[Key]) -> bool:
        """Whether ``target``'s sums follow from the ``shown`` rows' sums."""
        return self._rank([*shown, target]) == self._rank(shown)

    def weights(self, target: Key, shown: list[Key]) -> np.ndarray:
        """The minimum-norm combination of ``shown`` rows that gives ``target``."""
        picked = [self.index[key] for key in shown]
        inner = self.gram[np.ix_(picked, picked)]
        return np.linalg.pinv(inner, hermitian=True) @ self.gram[picked, self.index[target]]


def suppress(lines: Mapping[Key, Line], k: int) -> set[Key]:
    """The keys to hide: every small row, every remainder, and the rows hidden
    second so that no small row can be worked out (module doc)."""
    hidden = {key for key, line in lines.items() if line.small(k) or not line.published}
    protected = [key for key, line in lines.items() if line.small(k)]
    kinds = sorted({kind for line in lines.values() for kind in line.atoms})
    order = {key: number for number, key in enumerate(lines)}
    grams = {
        kind: Gram({key: line.atoms[kind] for key, line in lines.items() if line.atoms.get(kind)})
        for kind in kinds
    }
    changed = bool(protected)
    while changed:  # until a whole pass hides nothing more
        changed = False
        for kind in kinds:
            gram = grams[kind]
            for key in protected:
                if key not in gram.index:
                    continue  # no answers of this kind: nothing to give away
                while True:
                    shown = [other for other in gram.index if other not in hidden]
                    if not gram.derivable(key, shown):
                        break
                    hidden.add(_second(gram, key, shown, lines, order))
                    changed = True
    return hidden


def _second(
    gram: Gram, target: Key, shown: list[Key], lines: Mapping[Key, Line], order: Mapping[Key, int]
) -> Key:
    """The shown row to hide next (module doc).

    Rows taking part are those with a weight in the minimum-norm combination
    that gives ``target``. They are tried breakdown rows first, then indicators,
    the headline last, each the smallest first (``Line.priority``, respondents):
    the first of the lowest priority whose hiding alone stops the derivation is
    hidden, else the first of them (the next round hides another)."""
    weights = gram.weights(target, shown)
    scale = max(float(np.abs(weights).max()), 1.0)
    taking_part = [key for key, w in zip(shown, weights, strict=True) if abs(w) > 1e-9 * scale]
    if not taking_part:  # numerically empty: hide the smallest shown row, still progress
        taking_part = list(shown)
    taking_part.sort(key=lambda key: (lines[key].priority, lines[key].size(), order[key]))
    lowest = lines[taking_part[0]].priority
    for candidate in (key for key in taking_part if lines[key].priority == lowest):
        if not gram.derivable(target, [key for key in shown if key != candidate]):
            return candidate
    return taking_part[0]


def components(lines: Mapping[Key, Line], component: Iterable[Hashable]) -> list[dict[Key, Line]]:
    """``lines`` split by a component id per key (tables that share no atom are
    independent, and small systems keep the rank checks fast)."""
    parts: dict[Hashable, dict[Key, Line]] = {}
    for (key, line), part in zip(lines.items(), component, strict=True):
        parts.setdefault(part, {})[key] = line
    return list(parts.values())


# The tables the bot publishes, as lines. ``cells`` are ``rating_totals`` rows:
# (group, region, area, sdg, item_code, kind, rated, total, dont_know).
DIMENSIONS = ("group", "region", "area")
HEADLINE = "all"
ITEM = "item"
CellRow = tuple[str, str, str, int, str, str, int, int, int]


def _choices(value: str) -> list[str]:
    return list(dict.fromkeys(value.split())) or [""]


def _lines(
    cells: Iterable[CellRow], table: str, published: Mapping[str, set[str]] | None
) -> tuple[dict[tuple[str, str, object], Line], list[object]]:
    """Lines keyed (dimension, choice, goal or indicator); ``table`` is ``goal``
    (headline, indicators and breakdowns per goal) or ``indicator`` (headline and
    breakdowns per indicator; choices outside ``published`` are remainders)."""
    lines: dict[tuple[str, str, object], Line] = {}
    rated: dict[tuple[tuple[str, str, object], str, str], int] = {}
    for group, region, area, sdg, item, kind, count, _total, dont_know in cells:
        if count + dont_know <= 0:
            continue
        where: object = sdg if table == "goal" else item
        keys: list[tuple[str, str, object]] = [(HEADLINE, "", where)]
        if table == "goal":
            keys.append((ITEM, item, where))
        for dimension, value in zip(DIMENSIONS, (group, region, area), strict=True):
            keys += [(dimension, choice, where) for choice in _choices(value)]
        atom = (item, group, region, area)
        for key in keys:
            line = lines.get(key)
            if line is None:
                shown = published is None or key[0] == HEADLINE or key[1] in published[key[0]]
                priority = {HEADLINE: 2, ITEM: 1}.get(key[0], 0)
                line = lines[key] = Line(published=shown, priority=priority)
            line.atoms.setdefault(kind, set()).add(atom)
            rated[(key, item, kind)] = rated.get((key, item, kind), 0) + count
    for (key, _item, kind), count in rated.items():
        respondents = lines[key].respondents
        respondents[kind] = max(respondents.get(kind, 0), count)
    return lines, [key[2] for key in lines]


def _hidden(lines: dict[tuple[str, str, object], Line], parts: list[object], k: int) -> set:
    hidden: set = set()
    for part in components(lines, parts):
        hidden |= suppress(part, k)
    return hidden


def goal_suppression(cells: Iterable[CellRow], k: int) -> set[tuple[str, str, int]]:
    """Hidden rows of a digest: (``"all"``, "", sdg) for a goal, (``"item"``, code,
    sdg) for an indicator, (dimension, choice, sdg) for a breakdown; one set for
    both kinds. Every breakdown choice, "prefer not to say" and unanswered
    included, is a published row of the digest."""
    return _hidden(*_lines(cells, "goal", None), k)


def indicator_suppression(
    cells: Iterable[CellRow], k: int, published: Mapping[str, set[str]]
) -> set[tuple[str, str, str]]:
    """Hidden rows of the Open SDG files: (``"all"``, "", code) for a headline,
    (dimension, choice, code) for a disaggregation. Choices not in
    ``published[dimension]`` ("prefer not to say", unanswered) are never shown and
    count as hidden remainders that must not be worked out when small."""
    return _hidden(*_lines(cells, "indicator", published), k)
