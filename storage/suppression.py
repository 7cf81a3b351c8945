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
row space); that is checked with the rank of the matrices (numpy).

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
own): see README "What the numbers mean".
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


def _matrix(rows: list[set[Atom]], columns: dict[Atom, int]) -> np.ndarray:
    matrix = np.zeros((len(rows), len(columns)), dtype=np.float64)
    for number, atoms in enumerate(rows):
        matrix[number, [columns[atom] for atom in atoms]] = 1.0
    return matrix


def _rank(matrix: np.ndarray) -> int:
    return 0 if matrix.size == 0 else int(np.linalg.matrix_rank(matrix))


def derivable(target: set[Atom], shown: list[set[Atom]]) -> bool:
    """Whether the sums over ``target`` follow from the sums over the ``shown`` sets."""
    if not target:
        return False
    atoms = set(target).union(*shown) if shown else set(target)
    columns = {atom: number for number, atom in enumerate(atoms)}
    base = _matrix(shown, columns)
    # Identical columns never change a rank: keep one of each (big tables have many).
    both = np.unique(np.vstack([base, _matrix([target], columns)]), axis=1)
    return _rank(both[:-1]) == _rank(both)


def _coefficients(target: set[Atom], shown: list[set[Atom]]) -> np.ndarray:
    atoms = set(target).union(*shown)
    columns = {atom: number for number, atom in enumerate(atoms)}
    base = _matrix(shown, columns)
    solution, *_rest = np.linalg.lstsq(base.T, _matrix([target], columns)[0], rcond=None)
    return solution


def suppress(lines: Mapping[Key, Line], k: int) -> set[Key]:
    """The keys to hide: every small row, every remainder, and the rows hidden
    second so that no small row can be worked out (module doc)."""
    hidden = {key for key, line in lines.items() if line.small(k) or not line.published}
    protected = [key for key, line in lines.items() if line.small(k)]
    kinds = sorted({kind for line in lines.values() for kind in line.atoms})
    order = {key: number for number, key in enumerate(lines)}
    changed = True
    while changed:
        changed = False
        for kind in kinds:
            shown = [key for key in lines if key not in hidden and lines[key].atoms.get(kind)]
            sets = [lines[key].atoms[kind] for key in shown]
            for key in protected:
                target = lines[key].atoms.get(kind, set())
                if not derivable(target, sets):
                    continue
                extra = _second(target, shown, sets, lines, order)
                hidden.add(extra)
                changed = True
                break
            if changed:
                break
    return hidden


def _second(
    target: set[Atom],
    shown: list[Key],
    sets: list[set[Atom]],
    lines: Mapping[Key, Line],
    order: Mapping[Key, int],
) -> Key:
    """The shown row to hide next (module doc).

    Rows taking part are those with a weight in the least-squares (minimum-norm)
    combination that gives ``target``. They are tried breakdown rows first, then
    indicators, the headline last, each the smallest first (``Line.priority``,
    respondents): the first of the lowest priority whose hiding alone stops the
    derivation is hidden, else the first of them (the next round hides another)."""
    weights = _coefficients(target, sets)
    taking_part = [key for key, weight in zip(shown, weights, strict=True) if abs(weight) > 1e-9]
    taking_part.sort(key=lambda key: (lines[key].priority, lines[key].size(), order[key]))
    lowest = lines[taking_part[0]].priority
    for candidate in (key for key in taking_part if lines[key].priority == lowest):
        rest = [atoms for key, atoms in zip(shown, sets, strict=True) if key != candidate]
        if not derivable(target, rest):
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
