"""Means protected one indicator at a time, inside the rows shown.

``protect`` decides which *groups of people* are shown. A shown group can
still hold an indicator that only a few of its people answered: in a rural
row of eight where one person rated 1.2.1, the row's 1.2.1 mean is that
person's rating, and everyone's mean minus the north's can give it too.
So the means are protected as well, over their own unknowns: for one goal
and one kind (now or forecast), an *atom* is the answers to one indicator of
one class of people (cells lying in exactly the same shown rows), weighed by
how many rated it ("don't know" adds nothing to a mean's total; how many of a
shown group said it is published, as its share). Every shown row publishes
one line per indicator (the digest's headline, the Open SDG files'
breakdowns) and one line for its goal (the sum over the goal's
indicators). ``protect`` then hides lines as it hides rows: those with 1 to
k−1 ratings, then whatever would let ratings of fewer than k be worked out,
indicator means before goal means, breakdowns before headlines. A mean hidden
in one kind is hidden in both, so the two rows of a goal read alike.

What this does not model: a union of several indicators' atoms counts
ratings, not people, so one person's ratings of five indicators count as
five. The goal line of one class is then protected only as far as the
rows themselves protect that class (``protect``: never fewer than k people).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from reporting.publication.protect import SMALL, Line, protect
from storage.publication import CellSum

# Goal lines are the more useful, headlines the most: hidden last.
ITEM, GOAL = 0, 1

MeanKey = tuple[frozenset[int], str | int]  # (row's cells, item code or goal number)


def protect_means(
    cell_number: Mapping[tuple[str, str, str, str, str], int],
    sums: Sequence[CellSum],
    rows: Mapping[frozenset[int], int],
    k: int,
) -> dict[MeanKey, str]:
    """Hidden (row, item code | goal) pairs, with why (SMALL or LINKED). ``rows``: each shown row that publishes
    means (its cells) with its priority (higher is hidden later)."""
    classes = _classes(rows)
    answers: dict[tuple[int, str], dict[tuple[int, str], int]] = defaultdict(dict)
    for s in sums:
        number = cell_number.get((s.mode, s.partner, s.group, s.region, s.area))
        if number is None or number not in classes or s.rated == 0:
            continue  # "don't know" adds nothing to a mean's total: a known zero
        system = answers[(s.sdg, s.kind)]
        atom = (classes[number], s.item_code)
        system[atom] = system.get(atom, 0) + s.rated
    hidden: dict[MeanKey, str] = {}
    for (sdg, _kind), weights in answers.items():
        for key, reason in _protect_goal(sdg, weights, rows, classes, k).items():
            # Hidden in one kind, hidden in both; too few ratings says more than linked.
            if hidden.get(key) != SMALL:
                hidden[key] = reason
    return hidden


def _classes(rows: Iterable[frozenset[int]]) -> dict[int, int]:
    """Each cell's class: cells in exactly the same rows cannot be told apart."""
    signature: dict[int, list[int]] = defaultdict(list)
    for number, row in enumerate(rows):
        for cell in row:
            signature[cell].append(number)
    numbering: dict[tuple[int, ...], int] = {}
    return {
        cell: numbering.setdefault(tuple(where), len(numbering))
        for cell, where in signature.items()
    }


def _protect_goal(
    sdg: int,
    weights: Mapping[tuple[int, str], int],
    rows: Mapping[frozenset[int], int],
    classes: Mapping[int, int],
    k: int,
) -> dict[MeanKey, str]:
    atom_number = {atom: n for n, atom in enumerate(sorted(weights))}
    people = {atom_number[atom]: weight for atom, weight in weights.items()}
    items = sorted({item for _class, item in weights})
    lines: dict[MeanKey, Line] = {}
    for members, priority in rows.items():
        row_classes = {classes[cell] for cell in members}
        goal_atoms: set[int] = set()
        for item in items:
            atoms = frozenset(
                atom_number[(c, item)] for c in row_classes if (c, item) in atom_number
            )
            if atoms:
                goal_atoms |= atoms
                size = sum(people[a] for a in atoms)
                lines[(members, item)] = Line(atoms, size, True, 2 * priority + ITEM)
        if goal_atoms:
            size = sum(people[a] for a in goal_atoms)
            lines[(members, sdg)] = Line(frozenset(goal_atoms), size, True, 2 * priority + GOAL)
    return protect(lines, k, people)
