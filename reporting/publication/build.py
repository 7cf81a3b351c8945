"""One round's protected publication: every view, every row, what is hidden and why.

The *family* of views is fixed before any number is computed: everyone, each
single choice of group, region and area, and every scope a coordinator holds,
each unfiltered and filtered by each mode of collection. A view with fewer
than k people is refused (too small), and so is a filtered view whose
complement in its scope has 1 to k−1 people (subtracting it from the
unfiltered view would give them away). Each view shown publishes its
headline, its breakdowns by every choice of group, region and area, and its
counts by mode and by partner. Rows made of the same people are one row,
shown or hidden together. ``protect`` then hides what protection needs over
the whole family at once. Outputs read views; nothing reads raw data again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from reporting.publication.means import MeanKey, protect_means
from reporting.publication.protect import Line, protect
from storage.analytics import chosen
from storage.publication import CellSum, Person

SCOPED = ("group", "region", "area")  # scope and break down by
COUNTED = ("mode", "partner")  # counts only
Condition = tuple[str, str]
T = TypeVar("T")

TOO_SMALL = "too_small"
COMPLEMENT = "complement"
NOT_PUBLISHED = "not_published"


class CellKey(NamedTuple):
    mode: str
    partner: str
    group: str
    region: str
    area: str


def matches(cell: CellKey, condition: Condition) -> bool:
    dimension, choice = condition
    value = getattr(cell, dimension)
    if dimension == "group":
        return choice in value.split() if choice else value == ""
    return value == choice


class View(NamedTuple):
    scope: tuple[Condition, ...]  # sorted (dimension, choice) of group/region/area
    mode: str | None

    @classmethod
    def of(cls, scope: Mapping[str, str], mode: str | None = None) -> View:
        return cls(tuple(sorted(scope.items())), mode)

    def conditions(self) -> tuple[Condition, ...]:
        return self.scope + ((("mode", self.mode),) if self.mode else ())


class Refused(Exception):
    """A view the publication does not show; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RowState:
    people: int
    hidden: str | None  # None when shown, else protect.SMALL or protect.LINKED

    @property
    def shown(self) -> bool:
        return self.hidden is None


@dataclass(slots=True)
class Publication:
    round_id: str
    k: int
    cells: list[CellKey]
    people: list[Person]
    sums: list[CellSum]
    views: dict[View, str | None] = field(default_factory=dict)  # refusal reason or None
    rows: dict[frozenset[int], RowState] = field(default_factory=dict)
    completed: dict[View, int | None] = field(default_factory=dict)  # None: hidden
    # Means hidden inside shown rows (``means``), with why (SMALL or LINKED).
    hidden_means: dict[MeanKey, str] = field(default_factory=dict)
    _members: dict[tuple[Condition, ...], frozenset[int]] = field(default_factory=dict)
    # What readers derive from the publication alone, kept with it (``remember``).
    _derived: dict[Hashable, object] = field(default_factory=dict)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per ``key``: for values that follow from the
        publication alone (a view's cells), read again by every digest of it."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def members(self, conditions: Iterable[Condition]) -> frozenset[int]:
        """The cells matching every condition (remembered: views ask again and again)."""
        key = tuple(sorted(conditions))
        found = self._members.get(key)
        if found is None:
            if len(key) <= 1:
                found = frozenset(
                    n for n, cell in enumerate(self.cells) if all(matches(cell, c) for c in key)
                )
            else:  # an intersection of single conditions, each remembered
                found = frozenset.intersection(*(self.members((c,)) for c in key))
            self._members[key] = found
        return found

    def view_status(self, view: View) -> str | None:
        """None when the view is published, else why not."""
        return self.views.get(view, NOT_PUBLISHED)

    def check(self, view: View) -> None:
        status = self.view_status(view)
        if status is not None:
            raise Refused(status)

    def row(self, view: View, condition: Condition | None = None) -> RowState:
        """A row of a published view: its headline (no condition) or a breakdown."""
        extra = () if condition is None else (condition,)
        members = self.members(view.conditions() + extra)
        return self.rows.get(members, RowState(0, None))

    def mean_state(self, view: View, condition: Condition | None, what: str | int) -> RowState:
        """The row as for ``row``, hidden also where its mean of ``what`` (an
        indicator's code or a goal's number) is hidden."""
        row = self.row(view, condition)
        if not row.shown:
            return row
        extra = () if condition is None else (condition,)
        reason = self.hidden_means.get((self.members(view.conditions() + extra), what))
        return row if reason is None else RowState(row.people, reason)

    def people_of(self, cells: Iterable[int]) -> frozenset[int]:
        """The response ids of the people in ``cells`` (internal: never published)."""
        wanted = {self.cells[n] for n in cells}
        return frozenset(p.response_id for p in self.people if _cell(p) in wanted)

    def shown_sets(self) -> list[frozenset[int]]:
        """Every shown row of every view, as the response ids of its people."""
        return [self.people_of(cells) for cells, row in self.rows.items() if row.shown]

    def choices(self, view: View, dimension: str) -> list[str]:
        """Choices present in the view's people ('' for unanswered), sorted."""
        cells = [self.cells[n] for n in self.members(view.conditions())]
        found: set[str] = set()
        for cell in cells:
            value = getattr(cell, dimension)
            found.update(chosen(value) if dimension == "group" else [value])
            if dimension == "group" and not chosen(value):
                found.add("")
        return sorted(found)


def build(
    round_id: str,
    people: Sequence[Person],
    sums: Sequence[CellSum],
    k: int,
    scopes: Iterable[Mapping[str, str]] = (),
) -> Publication:
    cells = sorted({_cell(p) for p in people})
    publication = Publication(round_id, k, cells, list(people), list(sums))
    number = {cell: n for n, cell in enumerate(cells)}
    started = Counter(number[_cell(p)] for p in people)
    finished = Counter(number[_cell(p)] for p in people if p.submitted_at)
    views = _family(publication, scopes)
    lines: dict[tuple[str, frozenset[int]], Line] = {}
    for view in views:
        members = publication.members(view.conditions())
        size = sum(started[n] for n in members)
        scope_size = sum(started[n] for n in publication.members(view.scope))
        if size < k:
            publication.views[view] = TOO_SMALL
        elif view.mode and 0 < scope_size - size < k:
            publication.views[view] = COMPLEMENT
        else:
            publication.views[view] = None
            _add_lines(publication, view, lines, started, finished)
    people = {2 * n: started[n] - finished[n] for n in started}
    people.update({2 * n + 1: finished[n] for n in started})
    hidden = protect(lines, k, people)
    for (kind, members), line in lines.items():
        if kind == "people":
            publication.rows[members] = RowState(line.size, hidden.get((kind, members)))
    for view, status in publication.views.items():
        if status is None:
            members = publication.members(view.conditions())
            done = ("done", members)
            publication.completed[view] = None if done in hidden else lines[done].size
    publication.hidden_means = protect_means(number, sums, _mean_rows(publication), k)
    return publication


def _mean_rows(publication: Publication) -> dict[frozenset[int], int]:
    """Every shown row that publishes means (a view's headline, its breakdowns by
    group, region and area), with its priority: hidden second, the lowest first."""
    rows: dict[frozenset[int], int] = {}
    for view, status in publication.views.items():
        if status is not None:
            continue
        role = "everyone" if view == View((), None) else "headline"
        found = [(publication.members(view.conditions()), PRIORITY[role])]
        for dimension in SCOPED:
            for choice in publication.choices(view, dimension):
                members = publication.members((*view.conditions(), (dimension, choice)))
                found.append((members, PRIORITY["breakdown"]))
        for members, priority in found:
            state = publication.rows.get(members)
            if members and state is not None and state.shown:
                rows[members] = max(priority, rows.get(members, priority))
    return rows


def _cell(person: Person) -> CellKey:
    return CellKey(person.mode, person.partner, person.group, person.region, person.area)


def _family(publication: Publication, scopes: Iterable[Mapping[str, str]]) -> list[View]:
    """Everyone, each single choice, each coordinator scope; each by every mode too."""
    everyone = View((), None)
    modes = sorted({cell.mode for cell in publication.cells})
    singles = [
        View(((dimension, choice),), None)
        for dimension in SCOPED
        for choice in publication.choices(everyone, dimension)
        if choice and choice != "prefer_not"
    ]
    extra = [View.of(scope) for scope in scopes]
    bases = list(dict.fromkeys([everyone, *singles, *extra]))
    return [View(base.scope, mode) for base in bases for mode in (None, *modes)]


# Which row to hide second: counts by mode or partner first, the round's headline last.
PRIORITY = {"counted": 0, "done": 1, "breakdown": 2, "headline": 3, "everyone": 4}


def _add_lines(
    publication: Publication,
    view: View,
    lines: dict[tuple[str, frozenset[int]], Line],
    started: Counter[int],
    finished: Counter[int],
) -> None:
    """The view's rows as lines over atoms (2 × cell + finished)."""

    def add(kind: str, members: frozenset[int], role: str) -> None:
        if kind == "people":
            # Only atoms with people: an empty one is a known zero, not an unknown.
            atoms = frozenset(
                a
                for n in members
                for a, present in ((2 * n, started[n] > finished[n]), (2 * n + 1, finished[n]))
                if present
            )
            size = sum(started[n] for n in members)
        elif kind == "done":
            atoms = frozenset(2 * n + 1 for n in members if finished[n])
            size = sum(finished[n] for n in members)
        else:  # still answering: never shown, follows from people minus done
            atoms = frozenset(2 * n for n in members if started[n] > finished[n])
            size = sum(started[n] - finished[n] for n in members)
        priority = PRIORITY[role]
        old = lines.get((kind, members))
        if old is not None:
            priority = max(priority, old.priority)
        lines[(kind, members)] = Line(atoms, size, kind != "open", priority)

    headline = publication.members(view.conditions())
    role = "everyone" if view == View((), None) else "headline"
    add("people", headline, role)
    add("done", headline, "done")
    add("open", headline, "done")
    for dimension in (*SCOPED, *COUNTED):
        for choice in publication.choices(view, dimension):
            members = publication.members((*view.conditions(), (dimension, choice)))
            add("people", members, "breakdown" if dimension in SCOPED else "counted")
