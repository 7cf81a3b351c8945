"""Action plans (issue 20): typed records agreed at an interface meeting.

An action is about one or more indicator codes in a round and a scope; who
is responsible is an organisation and a role. Its status moves agreed →
in progress → done or dropped, each step with its date. Every change is
written to ``action_changes`` with the actor (a coordinator's Telegram id, 0
for the command line): that table is never exported.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import aiosqlite

from storage.store import Store, utc_now

STATUSES = ("agreed", "in_progress", "done", "dropped")
# The status a step may move to; done and dropped are final.
NEXT: dict[str, tuple[str, ...]] = {
    "agreed": ("in_progress", "done", "dropped"),
    "in_progress": ("done", "dropped"),
    "done": (),
    "dropped": (),
}
_DATE_OF = {"in_progress": "started_on", "done": "done_on", "dropped": "dropped_on"}
FIELDS = ("round_id", "scope", "issue", "agreed", "organisation", "role", "due_on", "evidence")


class ActionError(ValueError):
    """A change the rules do not allow (an unknown action, a status step back)."""


@dataclass(frozen=True, slots=True)
class NewAction:
    round_id: str
    scope: str  # JSON, as a coordinator's scope ('{}' is everything)
    issue: str
    agreed: str
    organisation: str
    role: str
    due_on: str  # YYYY-MM-DD
    codes: tuple[str, ...]
    agreed_on: str  # YYYY-MM-DD, the meeting's date
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    id: int
    round_id: str
    scope: str
    issue: str
    agreed: str
    organisation: str
    role: str
    due_on: str
    status: str
    agreed_on: str
    started_on: str | None
    done_on: str | None
    dropped_on: str | None
    evidence: str
    created_at: str
    updated_at: str
    codes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Change:
    action_id: int
    actor_id: int  # internal: never exported
    field: str
    old: str | None
    new: str | None
    at: str


_COLUMNS = (
    "id, round_id, scope, issue, agreed, organisation, role, due_on, status, agreed_on,"
    " started_on, done_on, dropped_on, evidence, created_at, updated_at"
)


def _with_codes(
    rows: Iterable[Sequence[object]], codes: Iterable[Sequence[object]]
) -> list[Action]:
    by_action: dict[int, list[str]] = {}
    for action_id, code in codes:
        by_action.setdefault(int(action_id), []).append(str(code))  # type: ignore[call-overload]
    return [
        Action(*row, codes=tuple(by_action.get(int(row[0]), [])))  # type: ignore[arg-type, call-overload]
        for row in rows
    ]


async def _insert(db: aiosqlite.Connection, actor_id: int, new: NewAction, now: str) -> int:
    cursor = await db.execute(
        "INSERT INTO actions (round_id, scope, issue, agreed, organisation, role, due_on,"
        " status, agreed_on, evidence, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'agreed', ?, ?, ?, ?)",
        (
            new.round_id, new.scope, new.issue, new.agreed, new.organisation, new.role,
            new.due_on, new.agreed_on, new.evidence, now, now,
        ),
    )  # fmt: skip
    action_id = int(cursor.lastrowid)  # type: ignore[arg-type]
    await db.executemany(
        "INSERT OR IGNORE INTO action_indicators (action_id, code) VALUES (?, ?)",
        [(action_id, code) for code in new.codes],
    )
    await db.execute(
        "INSERT INTO action_changes (action_id, actor_id, field, old, new, at)"
        " VALUES (?, ?, 'created', NULL, 'agreed', ?)",
        (action_id, actor_id, now),
    )
    return action_id


async def add(store: Store, actor_id: int, new: NewAction) -> int:
    async with store.write() as db:
        return await _insert(db, actor_id, new, utc_now())


async def get_draft(store: Store, telegram_id: int) -> str | None:
    """The coordinator's action being entered (JSON), if there is one."""
    row = await store.fetchone(
        "SELECT draft FROM action_drafts WHERE telegram_id = ?", (telegram_id,)
    )
    return str(row[0]) if row else None


async def put_draft(store: Store, telegram_id: int, draft: str) -> None:
    await store.execute(
        "INSERT INTO action_drafts (telegram_id, draft, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (telegram_id) DO UPDATE SET draft = excluded.draft,"
        " updated_at = excluded.updated_at",
        (telegram_id, draft, utc_now()),
    )


async def drop_draft(store: Store, telegram_id: int) -> bool:
    """Forget the draft; False when there was none (saved or cancelled already)."""
    async with store.write() as db:
        cursor = await db.execute("DELETE FROM action_drafts WHERE telegram_id = ?", (telegram_id,))
        return cursor.rowcount == 1


async def add_from_draft(store: Store, telegram_id: int, new: NewAction) -> int | None:
    """Save the coordinator's draft as an action and forget the draft, in one
    transaction: a second tap on Save (or the same tap redelivered to another
    worker) finds no draft and adds nothing (None)."""
    async with store.write() as db:
        cursor = await db.execute("DELETE FROM action_drafts WHERE telegram_id = ?", (telegram_id,))
        if cursor.rowcount != 1:
            return None
        return await _insert(db, telegram_id, new, utc_now())


async def note_from_draft(
    store: Store, telegram_id: int, action_id: int, note: str, on: str
) -> bool:
    """Add the evidence note typed for an action and forget the draft, in one
    transaction (audited); False when the draft was gone (the note is kept once)."""
    async with store.write() as db:
        cursor = await db.execute("DELETE FROM action_drafts WHERE telegram_id = ?", (telegram_id,))
        if cursor.rowcount != 1:
            return False
        async with db.execute("SELECT status FROM actions WHERE id = ?", (action_id,)) as c:
            row = await c.fetchone()
        if row is None:
            raise ActionError(f"no action {action_id}")
        await _move(db, telegram_id, action_id, str(row[0]), on, note, utc_now())
        return True


async def add_many(store: Store, actor_id: int, new: Sequence[NewAction]) -> list[int]:
    """All in one transaction: an import writes everything or nothing."""
    now = utc_now()
    async with store.write() as db:
        return [await _insert(db, actor_id, action, now) for action in new]


async def get(store: Store, action_id: int) -> Action | None:
    found = await list_actions(store, ids=[action_id])
    return found[0] if found else None


async def list_actions(store: Store, ids: Sequence[int] | None = None) -> list[Action]:
    where, params = "", ()  # type: tuple[str, tuple[object, ...]]
    if ids is not None:
        where = f" WHERE id IN ({','.join('?' * len(ids))})" if ids else " WHERE 1 = 0"
        params = tuple(ids)
    rows = await store.fetchall(f"SELECT {_COLUMNS} FROM actions{where} ORDER BY id", params)
    codes = await store.fetchall(
        "SELECT action_id, code FROM action_indicators ORDER BY action_id, code"
    )
    return _with_codes(rows, codes)


def actions_of(db: sqlite3.Connection) -> list[Action]:
    """Every action, from a plain (read-only) connection: exports and the meeting pack."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM actions ORDER BY id").fetchall()
    codes = db.execute(
        "SELECT action_id, code FROM action_indicators ORDER BY action_id, code"
    ).fetchall()
    return _with_codes(rows, codes)


async def _move(
    db: aiosqlite.Connection, actor_id: int, action_id: int, status: str, on: str,
    evidence: str, now: str,
) -> None:  # fmt: skip
    if status not in STATUSES:
        raise ActionError(f"unknown status {status!r}")
    async with db.execute("SELECT status, evidence FROM actions WHERE id = ?", (action_id,)) as c:
        row = await c.fetchone()
    if row is None:
        raise ActionError(f"no action {action_id}")
    old, old_evidence = row
    changes: list[tuple[str, str, str]] = []
    if status != old:
        if status not in NEXT[old]:
            raise ActionError(f"an action {old} cannot become {status}")
        await db.execute(
            f"UPDATE actions SET status = ?, {_DATE_OF[status]} = ?, updated_at = ? WHERE id = ?",
            (status, on, now, action_id),
        )
        changes.append(("status", old, status))
    if evidence:
        joined = f"{old_evidence}\n{evidence}".strip()
        await db.execute(
            "UPDATE actions SET evidence = ?, updated_at = ? WHERE id = ?", (joined, now, action_id)
        )
        changes.append(("evidence", old_evidence, joined))
    await db.executemany(
        "INSERT INTO action_changes (action_id, actor_id, field, old, new, at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(action_id, actor_id, name, before, after, now) for name, before, after in changes],
    )


async def set_status(
    store: Store, actor_id: int, action_id: int, status: str, on: str, evidence: str = ""
) -> Action:
    """Move an action on (``on`` is the date, YYYY-MM-DD); audited, with any evidence note."""
    async with store.write() as db:
        await _move(db, actor_id, action_id, status, on, evidence, utc_now())
    found = await get(store, action_id)
    assert found is not None
    return found


# (action id, status, date, evidence note): a status change read from a file.
Move = tuple[int, str, str, str]


async def apply_plan(
    store: Store, actor_id: int, new: Sequence[NewAction], moves: Iterable[Move]
) -> list[int]:
    """New actions and status changes in one transaction: all of them or none."""
    now = utc_now()
    async with store.write() as db:
        ids = [await _insert(db, actor_id, action, now) for action in new]
        for action_id, status, on, evidence in moves:
            await _move(db, actor_id, action_id, status, on, evidence, now)
    return ids


async def changes(store: Store, action_id: int) -> list[Change]:
    rows = await store.fetchall(
        "SELECT action_id, actor_id, field, old, new, at FROM action_changes"
        " WHERE action_id = ? ORDER BY id",
        (action_id,),
    )
    return [Change(*row) for row in rows]


async def claim_reminder(store: Store, action_id: int, telegram_id: int, days_before: int) -> bool:
    """Record a due-date reminder to one coordinator; False when it was sent already."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO action_reminders (action_id, telegram_id, days_before, sent_at)"
            " VALUES (?, ?, ?, ?)",
            (action_id, telegram_id, days_before, utc_now()),
        )
        return cursor.rowcount == 1


async def open_actions_due_by(store: Store, last_day: str) -> list[Action]:
    """Agreed or in-progress actions due on or before ``last_day`` (YYYY-MM-DD)."""
    rows = await store.fetchall(
        "SELECT id FROM actions WHERE status IN ('agreed', 'in_progress') AND due_on <= ?"
        " ORDER BY due_on, id",
        (last_day,),
    )
    return await list_actions(store, ids=[int(row[0]) for row in rows])
