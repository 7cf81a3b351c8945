"""Linked secondary suppression over every row of a round's publication.

Each row the publication can show (a count of people, their means) is a sum
over *atoms*: the finest combinations of what rows select on (mode, partner,
group answer, region, area), each split into those who finished and those
who did not. A row is the 0/1 vector of its atoms. A hidden row can be worked
out from the shown ones, by any additions and subtractions across any
outputs, exactly when its vector lies in the span of the shown rows' vectors:
that is tested for all the rows at once, whatever view they were published in.

**Rule.** Rows with 1 to k−1 people are hidden (primary). Then no group of
1 to k−1 people may be in the span of the shown rows — not only hidden
rows, but any group at all: a filter's complement, the difference of two
nested rows, one person, those still answering. Such a group is a union of
*classes* (atoms lying in exactly the same shown rows), so listing the
unions of small classes lists every candidate (``small_unions``). Until
none is in the span: hide, for each one that is, one shown row taking part
in its minimum-norm combination — the lowest priority first (counts by mode or
partner, then completion counts, breakdown rows, a view's headline, the
round's headline), the fewest people first, preferring one whose hiding
alone stops that derivation. One row per pass; the next pass checks again.
At the end each row hidden second is tried shown again, the most useful
first, and stays shown where that gives nothing away.

The test is done on an orthonormal basis of the shown rows (one SVD per
pass), so it costs the same for ten rows or ten thousand to check.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

Key = TypeVar("Key", bound=Hashable)

SMALL = "small"  # fewer than k people
LINKED = "linked"  # hidden so that a small row cannot be worked out
REMAINDER = "remainder"  # never published; protected when small


@dataclass(frozen=True, slots=True)
class Line:
    atoms: frozenset[int]
    size: int  # the people (or finished people) the row counts
    published: bool = True
    priority: int = 0  # hidden second: the lowest first


def protect(lines: Mapping[Key, Line], k: int, people: Mapping[int, int]) -> dict[Key, str]:
    """Every hidden key with its reason (``SMALL``, ``LINKED``, ``REMAINDER``);
    ``people`` gives each atom's number of people."""
    hidden: dict[Key, str] = {}
    for key, line in lines.items():
        if not line.published:
            hidden[key] = REMAINDER
        elif 0 < line.size < k:
            hidden[key] = SMALL
    atoms = sorted({atom for line in lines.values() for atom in line.atoms})
    column = {atom: number for number, atom in enumerate(atoms)}
    # Published rows over the same atoms (a view's completed count when everyone
    # finished, its headline) are one row: hiding one of them alone hides nothing.
    same: dict[frozenset[int], list[Key]] = {}
    for key, line in lines.items():
        if line.atoms and key not in hidden:
            same.setdefault(line.atoms, []).append(key)
    keys = [group[0] for group in same.values()]
    matrix = np.zeros((len(keys), len(atoms)))
    for row, key in enumerate(keys):
        matrix[row, [column[atom] for atom in lines[key].atoms]] = 1.0
    index = {key: row for row, key in enumerate(keys)}
    rank = {
        key: (max(lines[t].priority for t in same[lines[key].atoms]), lines[key].size, index[key])
        for key in keys
    }
    while True:
        shown = [key for key in keys if key not in hidden]
        found = derivable_groups([lines[key].atoms for key in shown], people, k, first=True)
        shown_matrix = matrix[[index[key] for key in shown]]
        if not found:
            hidden = _show_again(hidden, keys, lines, people, k, matrix, column, index, rank)
            for key in keys:
                for twin in same[lines[key].atoms][1:]:
                    if key in hidden:
                        hidden[twin] = hidden[key]
            return hidden
        wanted = np.zeros((1, len(atoms)))
        wanted[0, [column[atom] for atom in found[0]]] = 1.0
        derivable = _derivable(shown_matrix, wanted)
        if not derivable:  # at the tolerance's edge: treat as found, hide the lowest
            derivable = [(0, np.ones(len(shown)))]
        _target, weights = derivable[0]
        scale = max(float(np.abs(weights).max()), 1.0)
        taking_part = [shown[n] for n in np.flatnonzero(np.abs(weights) > 1e-9 * scale)]
        taking_part.sort(key=rank.__getitem__) if taking_part else taking_part.extend(
            sorted(shown, key=rank.__getitem__)
        )
        hidden[_second(taking_part, shown, shown_matrix, wanted[0], rank)] = LINKED


def _show_again(
    hidden: dict[Key, str],
    keys: list[Key],
    lines: Mapping[Key, Line],
    people: Mapping[int, int],
    k: int,
    matrix: np.ndarray,
    column: Mapping[int, int],
    index: Mapping[Key, int],
    rank: Mapping[Key, tuple[int, int, int]],
) -> dict[Key, str]:
    """Hiding one row at a time can hide more than needed: try showing each row
    hidden second again, the most useful first (headlines, then the largest),
    and keep it shown when that still lets no small group be worked out."""
    linked = [key for key in keys if hidden.get(key) == LINKED]
    for key in sorted(linked, key=lambda key: (-rank[key][0], -rank[key][1], rank[key][2])):
        del hidden[key]
        shown = [other for other in keys if other not in hidden]
        if derivable_groups([lines[other].atoms for other in shown], people, k, first=True):
            hidden[key] = LINKED
    return hidden


def _second(
    taking_part: list[Key],
    shown: list[Key],
    shown_matrix: np.ndarray,
    target: np.ndarray,
    rank: Mapping[Key, tuple[int, int, int]],
) -> Key:
    """The row to hide: of the lowest priority taking part, the first (fewest people)
    whose hiding alone stops the derivation; else simply the first.

    A row taking part stops it alone exactly when it is not a combination of the
    other shown rows: then its weight is the same in every way of deriving the
    target, and not zero. One SVD tells that for every row at once (those in the
    left null space's support are combinations of the others), where hiding each
    candidate and testing again took one SVD per candidate."""
    lowest = rank[taking_part[0]][0]
    position = {key: n for n, key in enumerate(shown)}
    replaceable = _combinations_of_others(shown_matrix)
    for candidate in [key for key in taking_part if rank[key][0] == lowest][:12]:
        if not replaceable[position[candidate]]:
            return candidate
    return taking_part[0]


def _combinations_of_others(matrix: np.ndarray) -> np.ndarray:
    """For each row, whether it is a sum and difference of the other rows."""
    u, s, _vt = svd(matrix, full_matrices=True)
    rank = int(np.sum(s > 1e-9 * max(float(s.max(initial=0.0)), 1.0)))
    null = u[:, rank:]
    if not null.size:
        return np.zeros(len(matrix), dtype=bool)
    return np.linalg.norm(null, axis=1) > 1e-6


def small_classes(
    rows: list[frozenset[int]], people: Mapping[int, int], k: int
) -> list[tuple[frozenset[int], int]]:
    """Classes of atoms lying in exactly the same rows, with 1 to k−1 people, smallest
    first. Any sum and difference of rows is constant on a class, so a group that
    can be worked out is a union of whole classes, and a small one of small ones."""
    signature: dict[int, list[int]] = {}
    for number, row in enumerate(rows):
        for atom in row:
            signature.setdefault(atom, []).append(number)
    classes: dict[tuple[int, ...], set[int]] = {}
    for atom, where in signature.items():
        classes.setdefault(tuple(where), set()).add(atom)
    small = [
        (frozenset(atoms), size)
        for atoms in classes.values()
        if 0 < (size := sum(people.get(a, 0) for a in atoms)) < k
    ]
    return sorted(small, key=lambda item: (item[1], min(item[0])))


def small_unions(
    rows: list[frozenset[int]],
    people: Mapping[int, int],
    k: int,
    limit: int = 20000,
    classes: list[tuple[frozenset[int], int]] | None = None,
) -> list[frozenset[int]]:
    """Every union of small classes (or of ``classes``) with 1 to k−1 people, up to ``limit``."""
    small = small_classes(rows, people, k) if classes is None else classes
    found: list[frozenset[int]] = []

    def grow(start: int, union: frozenset[int], size: int) -> None:
        for number in range(start, len(small)):
            atoms, extra = small[number]
            if size + extra >= k or len(found) >= limit:
                break  # sorted by size: every later class is at least as big
            found.append(union | atoms)
            grow(number + 1, union | atoms, size + extra)

    grow(0, frozenset(), 0)
    return found


def derivable_groups(
    rows: list[frozenset[int]], people: Mapping[int, int], k: int, first: bool = False
) -> list[frozenset[int]]:
    """Groups of 1 to k−1 people that sums and differences of ``rows`` give.

    A union of small classes lies in the rows' span exactly when the sum of the
    classes' distances from the span is zero: a 0/1 combination in the left null
    space of those distances. Only classes that some null-space vector uses can
    take part, so the unions listed and tried are of those alone (usually none:
    at scale this is one small SVD)."""
    small = small_classes(rows, people, k)
    if not small or not rows:
        return []
    atoms = sorted({a for row in rows for a in row})
    column = {atom: number for number, atom in enumerate(atoms)}
    basis = _basis(_indicators(rows, column))
    residual = _residual(_indicators([atoms_ for atoms_, _n in small], column), basis)
    u, singular, _vt = svd(residual, full_matrices=True)
    rank = int(np.sum(singular > 1e-6))
    null = u[:, rank:]
    if not null.size:
        return []
    support = [int(n) for n in np.flatnonzero(np.abs(null).max(axis=1) > 1e-9)]
    sizes = [small[n][1] for n in support]
    subsets = _zero_sums(residual[support], sizes, k, first)
    return [frozenset().union(*(small[support[n]][0] for n in subset)) for subset in subsets]


def _zero_sums(vectors: np.ndarray, sizes: list[int], k: int, first: bool) -> list[tuple[int, ...]]:
    """Subsets of ``vectors`` (total size below k) summing to zero, by meeting in the
    middle: every such subset is two halves of at most ``(k − 1 + 1) // 2`` vectors
    each. Sums are compared on two random projections, then checked in full."""
    rng = np.random.default_rng(0)  # fixed: the same data hides the same rows
    projections = vectors @ rng.standard_normal((vectors.shape[1], 2))
    scale = max(float(np.abs(projections).max(initial=0.0)), 1.0)
    most = (k // 2) or 1
    # Padded with an index to a zero row, so every half sums in one vectorised step.
    padded = _halves(sizes, k, most)
    pad = len(sizes)
    sums = np.vstack([projections, np.zeros((1, 2))])[padded].sum(axis=1)
    order = np.argsort(sums[:, 0], kind="stable")
    ordered = sums[order, 0]
    # Each half's partners: the sums within the tolerance of its negative. Asked
    # in ascending order (the negatives of the sorted sums, reversed), the binary
    # searches run several times faster than in the halves' own order, and give
    # the same positions, put back in that order.
    backwards = order[::-1]
    lows = np.empty(len(sums), dtype=np.intp)
    highs = np.empty(len(sums), dtype=np.intp)
    lows[backwards] = np.searchsorted(ordered, (-ordered - 1e-7 * scale)[::-1], side="left")
    highs[backwards] = np.searchsorted(ordered, (-ordered + 1e-7 * scale)[::-1], side="right")
    found: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()

    def members(row: int) -> tuple[int, ...]:
        return tuple(int(n) for n in padded[row] if n != pad)

    for a in np.flatnonzero(highs > lows):
        half = members(a)
        for b in order[lows[a] : highs[a]]:
            other = members(b)
            union = tuple(sorted(set(half) | set(other)))
            if not union or set(half) & set(other) or union in seen:
                continue
            if sum(sizes[n] for n in union) >= k:
                continue
            if abs(sums[a, 1] + sums[b, 1]) > 1e-7 * scale:
                continue
            seen.add(union)
            if np.linalg.norm(vectors[list(union)].sum(axis=0)) < 1e-6:
                found.append(union)
                if first:
                    return found
    return found


def _halves(sizes: list[int], k: int, most: int) -> np.ndarray:
    """Subsets of at most ``most`` indexes whose sizes total below k, one per row padded
    with ``len(sizes)``: the empty one first, then in the order of a depth-first walk
    over the indexes sorted by size (each subset before those it grows into).

    Built a level at a time with numpy: a small round has tens of thousands of
    them, and growing them one by one in Python was most of its protection."""
    pad = len(sizes)
    order = np.array(sorted(range(pad), key=sizes.__getitem__), dtype=np.int64)
    ordered_sizes = np.asarray(sizes, dtype=np.int64)[order]
    positions = [np.zeros((1, 0), dtype=np.int64)]  # into ``order``; the empty subset
    totals = np.zeros(1, dtype=np.int64)
    for depth in range(most):
        previous = positions[-1]
        starts = previous[:, -1] + 1 if depth else np.zeros(len(previous), dtype=np.int64)
        # Sorted by size: every later index is at least as big as the first too big.
        ends = np.searchsorted(ordered_sizes, k - totals, side="left")
        counts = np.maximum(ends - starts, 0)
        if not counts.sum():
            break
        parent = np.repeat(np.arange(len(previous)), counts)
        step = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        added = starts[parent] + step
        positions.append(np.hstack([previous[parent], added[:, None]]))
        totals = totals[parent] + ordered_sizes[added]
    walk = np.full((sum(len(level) for level in positions), most), -1, dtype=np.int64)
    row = 0
    for level in positions:
        walk[row : row + len(level), : level.shape[1]] = level
        row += len(level)
    # Depth-first order is the lexicographic one, a subset (padded with -1) first.
    walk = walk[np.lexsort(walk.T[::-1])]
    # ``order`` with the pad index after it, so -1 (no index) maps to the pad.
    return np.append(order, pad)[walk]


def _indicators(sets: list[frozenset[int]], column: Mapping[int, int]) -> np.ndarray:
    matrix = np.zeros((len(sets), len(column)))
    for number, members in enumerate(sets):
        matrix[number, [column[a] for a in members if a in column]] = 1.0
        if any(a not in column for a in members):
            matrix[number, :] = np.nan  # an atom in no row: never in the span
    return matrix


def svd(matrix: np.ndarray, full_matrices: bool = False) -> tuple[np.ndarray, ...]:
    """numpy's SVD, retried on the transpose when LAPACK's divide-and-conquer does not
    converge: it happens on some 0/1 matrices of a few hundred rows, depending even on
    the number of BLAS threads, and would stop a digest. The same factors, swapped."""
    try:
        u, s, vt = np.linalg.svd(matrix, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        u_t, s, vt_t = np.linalg.svd(matrix.T, full_matrices=full_matrices)
        u, vt = vt_t.T, u_t.T
    return u, s, vt


def _basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis (rows) of ``matrix``'s row space."""
    _u, s, vt = svd(matrix)
    return vt[s > 1e-9 * max(float(s.max(initial=0.0)), 1.0)]


def _residual(wanted: np.ndarray, basis: np.ndarray) -> np.ndarray:
    clean = np.nan_to_num(wanted, nan=0.0)
    residual = clean - (clean @ basis.T) @ basis
    residual[np.isnan(wanted).any(axis=1)] = 1.0  # outside every row: not derivable
    return residual


def _derivable(shown: np.ndarray, wanted: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Each ``wanted`` row in the row space of ``shown``, with its minimum-norm weights."""
    if not len(shown) or not len(wanted):
        return []
    u, s, vt = svd(shown)
    # Generous on purpose: a value taken for zero can only make a row count as
    # derivable (one more row hidden), never the other way round.
    keep = s > 1e-9 * max(float(s.max(initial=0.0)), 1.0)
    u, s, vt = u[:, keep], s[keep], vt[keep]
    coordinates = wanted @ vt.T
    residual = np.linalg.norm(wanted - coordinates @ vt, axis=1)
    return [(int(n), u @ (coordinates[n] / s)) for n in np.flatnonzero(residual < 1e-6)]


def in_span(rows: list[frozenset[int]], targets: list[frozenset[int]]) -> list[int]:
    """Indexes of ``targets`` whose 0/1 vectors are sums and differences of ``rows``'."""
    atoms = sorted({a for row in rows for a in row})
    if not rows or not atoms or not targets:
        return []
    column = {atom: number for number, atom in enumerate(atoms)}
    basis = _basis(_indicators(rows, column))
    distance = np.linalg.norm(_residual(_indicators(targets, column), basis), axis=1)
    return [int(n) for n in np.flatnonzero(distance < 1e-6)]
