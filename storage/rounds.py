"""Rounds (migration 13): one scoring cycle each, with its years and survey version.

A round is open while ``closed_at`` is NULL, and at most one is open. The
current round is the open one, else the latest opened: with no open round the
bot keeps taking answers in the latest one, as before rounds existed. A
person has at most one response per round (UNIQUE (user_id, survey_id,
round_id)), so they take part again only when a new round opens.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.dialect import is_postgres
from storage.store import Store, utc_now

# The current round's id as an SQL expression: '' before any round exists.
CURRENT_ROUND = (
    "COALESCE((SELECT id FROM rounds ORDER BY closed_at IS NULL DESC, opens_at DESC,"
    " rowid DESC LIMIT 1), '')"
)


class RoundError(Exception):
    """A round command that cannot be done, with the reason in one line."""


@dataclass(frozen=True, slots=True)
class Round:
    id: str
    title: str
    now_year: int
    forecast_year: int
    survey_hash: str
    opens_at: str
    closes_on: str | None
    closed_at: str | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


async def list_rounds(store: Store) -> list[Round]:
    rows = await store.fetchall("SELECT * FROM rounds ORDER BY opens_at, rowid")
    return [Round(*row) for row in rows]


def rounds_of(db: sqlite3.Connection) -> list[Round]:
    """The rounds, oldest first, from a plain (read-only) connection."""
    return [Round(*row) for row in db.execute("SELECT * FROM rounds ORDER BY opens_at, rowid")]


async def current_round(store: Store) -> Round | None:
    row = await store.fetchone(f"SELECT * FROM rounds WHERE id = {CURRENT_ROUND}")
    return Round(*row) if row else None


async def open_round(
    store: Store,
    round_id: str,
    title: str,
    years: tuple[int, int],
    survey_hash: str,
    closes_on: str | None = None,
) -> Round:
    """Open a new round; responses not in any round yet go to the first one."""
    if not round_id.strip():
        raise RoundError("a round needs an id, e.g. 2027")
    async with store.write() as db:
        if is_postgres(store.path):
            # The first round takes in the responses begun without one. A response
            # begun meanwhile by another worker, its INSERT not yet committed, would
            # be missed by that UPDATE and stay in no round, out of its person's
            # reach (SQLite's writers take turns anyway). So responses wait for this
            # transaction, and one waiting reads the new round once it is committed.
            await db.execute("LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE")
        async with db.execute("SELECT id, closed_at FROM rounds") as cursor:
            rounds = {row[0]: row[1] for row in await cursor.fetchall()}
        if round_id in rounds:
            raise RoundError(f"round {round_id} exists already")
        still_open = [rid for rid, closed in rounds.items() if closed is None]
        if still_open:
            raise RoundError(f"round {still_open[0]} is open: close it first")
        await db.execute(
            "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (round_id, title, years[0], years[1], survey_hash, utc_now(), closes_on),
        )
        if not rounds:
            await db.execute("UPDATE responses SET round_id = ? WHERE round_id = ''", (round_id,))
    return next(r for r in await list_rounds(store) if r.id == round_id)


async def close_round(store: Store, round_id: str) -> Round:
    async with store.write() as db:
        async with db.execute("SELECT closed_at FROM rounds WHERE id = ?", (round_id,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise RoundError(f"no round {round_id}")
        if row[0] is not None:
            raise RoundError(f"round {round_id} is closed already")
        await db.execute("UPDATE rounds SET closed_at = ? WHERE id = ?", (utc_now(), round_id))
    return next(r for r in await list_rounds(store) if r.id == round_id)


async def ensure_round(store: Store, title: str, years: tuple[int, int], survey_hash: str) -> None:
    """The default round, named after the survey's now year, once there are
    responses and no round yet (a database from before rounds); no-op otherwise."""
    row = await store.fetchone(
        "SELECT (SELECT COUNT(*) FROM rounds), EXISTS (SELECT 1 FROM responses)"
    )
    if row is not None and row[0] == 0 and row[1]:
        await open_round(store, str(years[0]), title, years, survey_hash)


async def submitted_counts(store: Store) -> dict[str, int]:
    """Submitted responses per round id."""
    rows = await store.fetchall(
        "SELECT round_id, COUNT(*) FROM responses WHERE submitted_at IS NOT NULL GROUP BY round_id"
    )
    return {row[0]: row[1] for row in rows}
