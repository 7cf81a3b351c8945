"""The goals people chose as priorities (a ``pick_goals`` closing question)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def selections(db: sqlite3.Connection, question_id: str, response_ids: Iterable[int]) -> list[str]:
    """Each answered selection (section ids joined by commas) of these responses."""
    ids = sorted(set(response_ids))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT selected FROM choices WHERE question_id = ? AND done = 1 AND selected != ''"
        f" AND response_id IN ({marks})",
        (question_id, *ids),
    )
    return [str(row[0]) for row in rows]
