"""The rank tests behind the publication, against brute force on small random tables."""

from __future__ import annotations

import itertools
import random

from reporting.publication.protect import (
    LINKED,
    SMALL,
    Line,
    derivable_groups,
    in_span,
    protect,
    small_classes,
)


def random_rows(rng: random.Random, atoms: int, rows: int) -> list[frozenset[int]]:
    everyone = frozenset(range(atoms))
    picked = [everyone]
    for _ in range(rows):
        picked.append(frozenset(a for a in range(atoms) if rng.random() < 0.5) or everyone)
    return picked


def random_lines(
    rng: random.Random,
) -> tuple[list[frozenset[int]], dict[int, int], dict[int, Line]]:
    """Random rows over 3 to 9 atoms, people per atom, and the rows as lines to
    protect (the first, everyone, is the headline)."""
    atoms = rng.randint(3, 9)
    rows = random_rows(rng, atoms, rng.randint(2, 7))
    people = {a: rng.choice([1, 2, 3, 6, 9]) for a in range(atoms)}
    lines = {
        n: Line(row, sum(people[a] for a in row), True, 0 if n else 4)
        for n, row in enumerate(dict.fromkeys(rows))
    }
    return rows, people, lines


def brute_force(rows: list[frozenset[int]], people: dict[int, int], k: int) -> set[frozenset]:
    """Every union of classes with 1 to k−1 people that lies in the rows' span."""
    classes = [atoms for atoms, _size in small_classes(rows, people, k)]
    found = set()
    for count in range(1, len(classes) + 1):
        for chosen in itertools.combinations(classes, count):
            union = frozenset().union(*chosen)
            if 0 < sum(people[a] for a in union) < k and in_span(rows, [union]):
                found.add(union)
    return found


def test_derivable_groups_finds_exactly_what_brute_force_finds() -> None:
    rng = random.Random(5)
    checked = 0
    for trial in range(300):
        atoms = rng.randint(3, 9)
        rows = random_rows(rng, atoms, rng.randint(1, 5))
        people = {a: rng.choice([1, 1, 2, 3, 6]) for a in range(atoms)}
        k = rng.choice([2, 3, 5, 6])
        expected = brute_force(rows, people, k)
        assert set(derivable_groups(rows, people, k)) == expected, (trial, rows, people, k)
        checked += bool(expected)
    assert checked > 30  # the trials include many tables that do give people away


def test_protect_leaves_no_small_group_derivable() -> None:
    rng = random.Random(11)
    for _trial in range(100):
        _rows, people, lines = random_lines(rng)
        hidden = protect(lines, 5, people)
        assert all(hidden[n] == SMALL for n, line in lines.items() if 0 < line.size < 5)
        shown = [line.atoms for n, line in lines.items() if n not in hidden]
        assert not brute_force(shown, people, 5) if shown else True
        assert set(hidden.values()) <= {SMALL, LINKED}


def test_an_svd_that_does_not_converge_changes_no_decision(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """LAPACK's SVD can fail to converge on a 0/1 matrix (seen on a 670 × 808 one
    of a 150-person round with interviews and paper forms, with one BLAS thread):
    the publication retries on the transpose and decides exactly as before."""
    import numpy as np

    from reporting.publication import protect as module

    rng = random.Random(7)
    cases = [random_lines(rng) for _trial in range(60)]
    expected = [(set(derivable_groups(r, p, 3)), protect(lines, 5, p)) for r, p, lines in cases]

    real = np.linalg.svd
    failed: list[tuple[int, ...]] = []

    def fussy(matrix, *args, **kwargs):  # type: ignore[no-untyped-def]
        if matrix.shape[0] < matrix.shape[1] or (matrix.shape[0] == matrix.shape[1] and not failed):
            failed.append(matrix.shape)
            raise np.linalg.LinAlgError("SVD did not converge")
        return real(matrix, *args, **kwargs)

    monkeypatch.setattr(module.np.linalg, "svd", fussy)
    again = [(set(derivable_groups(r, p, 3)), protect(lines, 5, p)) for r, p, lines in cases]
    assert failed and again == expected
