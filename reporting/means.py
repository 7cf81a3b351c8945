"""Means from rating cells: pooled over any key, hidden below k respondents.

Every mean a coordinator or respondent sees is pooled here, from the cells
``storage.analytics`` reads (one per profile combination, indicator and kind).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from storage.analytics import Cell, has_choice

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Mean:
    """A mean rating, or why there is none."""

    mean: float | None  # None when suppressed or when nobody rated
    rated: int  # numeric ratings pooled
    respondents: int  # people who rated the best-covered indicator (see module doc)
    dont_know: int
    suppressed: bool

    @property
    def dont_know_share(self) -> float | None:
        answers = self.rated + self.dont_know
        return None if answers == 0 or self.suppressed else self.dont_know / answers


def cells_with(cells: Iterable[Cell], dimension: str, choice: str) -> list[Cell]:
    """The cells of everyone who chose ``choice`` for ``dimension``, alone or with
    others. Each person sits in exactly one cell, so nobody is counted twice."""
    return [cell for cell in cells if has_choice(cell.dimension(dimension), choice)]


def pooled_means(cells: Iterable[Cell], key: Callable[[Cell], Key], k: int) -> dict[Key, Mean]:
    """Pool cells by ``key`` into means, suppressing any with fewer than ``k`` respondents."""
    rated: dict[Key, int] = defaultdict(int)
    total: dict[Key, int] = defaultdict(int)
    dont_know: dict[Key, int] = defaultdict(int)
    per_item: dict[tuple[Key, str, str], int] = defaultdict(int)
    for cell in cells:
        group = key(cell)
        rated[group] += cell.rated
        total[group] += cell.total
        dont_know[group] += cell.dont_know
        per_item[(group, cell.item_code, cell.kind)] += cell.rated
    respondents: dict[Key, int] = defaultdict(int)
    for (group, _item, _kind), count in per_item.items():
        respondents[group] = max(respondents[group], count)
    result = {}
    for group in rated:
        suppressed = respondents[group] < k
        mean = None if suppressed or rated[group] == 0 else total[group] / rated[group]
        result[group] = Mean(mean, rated[group], respondents[group], dont_know[group], suppressed)
    return result


def sequence_median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
