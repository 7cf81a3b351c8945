"""A digest's view of the protected publication: its cells, its rows, its counts.

Every count a digest prints passes through here: the view's people and
finished people as the publication protects them, counts by mode and by
partner as its rows, and the window's counts (new this period) shown only
from ``k`` up. Nothing is read from the database again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from reporting.publication import Publication, RowState, View
from storage.analytics import Cell, Progress

HEADLINE = "all"  # as reporting.digest.analysis: the view's own row
HIDDEN_ROW = RowState(0, "refused")


class RowStates(Protocol):
    def __call__(self, dimension: str, choice: str, what: str | int | None = None) -> RowState: ...


def view_cells(published: Publication, view: View) -> list[Cell]:
    """The rating sums of the view's people, as ``Cell`` rows (group, region, area);
    worked out once per publication and view (a list of frozen rows: not to change)."""
    return published.remember(("view_cells", view), lambda: _view_cells(published, view))


def _view_cells(published: Publication, view: View) -> list[Cell]:
    members = published.members(view.conditions())
    wanted = {published.cells[n] for n in members}
    sums: dict[tuple[str, str, str, int, str, str], list[int]] = {}
    for s in published.sums:
        if (s.mode, s.partner, s.group, s.region, s.area) not in wanted:
            continue
        key = (s.group, s.region, s.area, s.sdg, s.item_code, s.kind)
        total = sums.setdefault(key, [0, 0, 0])
        total[0] += s.rated
        total[1] += s.total
        total[2] += s.dont_know
    return [Cell(*key, *values) for key, values in sums.items()]


def row_states(published: Publication, view: View) -> RowStates:
    """(dimension, choice[, what]) -> the publication's row in ``view`` (``HEADLINE``:
    its own); with ``what`` (an indicator's code or a goal's number), hidden also
    where that mean is hidden inside the row."""
    refused = published.view_status(view) is not None
    cache: dict[tuple[str, str, str | int | None], RowState] = {}

    def state(dimension: str, choice: str, what: str | int | None = None) -> RowState:
        if refused:
            return HIDDEN_ROW
        key = (dimension, choice, what)
        if key not in cache:
            condition = None if dimension == HEADLINE else (dimension, choice)
            cache[key] = (
                published.row(view, condition)
                if what is None
                else published.mean_state(view, condition, what)
            )
        return cache[key]

    return state


def small(value: int | None, k: int) -> int | None:
    """A count of 1 to k−1 people is not shown (None); 0 and k up are."""
    return None if value is None or 0 < value < k else value


def protected_progress(published: Publication, view: View, progress: Progress) -> Progress:
    """``progress`` (read for the view's scope and round) with every count the
    publication decides replaced by its protected value."""
    k = published.k
    completed = published.completed.get(view)
    started = published.row(view)
    by_mode = [
        (mode, _people(published, view, ("mode", mode)), None)
        for mode in published.choices(view, "mode")
    ]
    by_partner = [
        (label, _people(published, view, ("partner", label)), None)
        for label in published.choices(view, "partner")
    ]
    by_partner.sort(key=lambda row: (-(row[1] or 0), row[0]))
    # A window holding the whole round repeats the totals: withheld with them.
    in_window = small(progress.started_in_window, k) if started.shown else None
    done_in_window = small(progress.completed_in_window, k) if completed is not None else None
    return replace(
        progress,
        started=started.people if started.shown else None,
        completed=completed,
        started_in_window=in_window,
        completed_in_window=done_in_window,
        durations=progress.durations if completed is not None and completed >= k else [],
        by_invitation=by_partner,
        stops=[stop for stop in progress.stops if stop[2] >= k],
        new_comments=small(progress.new_comments, k),
        by_mode=by_mode,
    )


def _people(published: Publication, view: View, condition: tuple[str, str]) -> int | None:
    row = published.row(view, condition)
    return row.people if row.shown else None
