"""Group scoring sessions: a focus group's scorecard, recorded by a facilitator.

A session is its own kind of record (migration 11), never a response: its
scores never reach ``ratings`` or ``rating_totals``, so they can never be
pooled with individual ratings by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.store import Store, utc_now
from storage.users import new_pseudonym

# Columns a facilitator fills in, by the field names the service uses.
PROFILE_FIELDS = ("grp", "region", "area", "people", "women", "men")
TEXT_FIELDS = ("priorities", "recommendations")


@dataclass(frozen=True, slots=True)
class Score:
    method: str  # consensus, votes or skip
    value: int | None  # the consensus; None for "don't know", votes or a skip
    votes: tuple[int, ...] | None  # counts for 1, 2, 3, 4, 5 and "don't know"

    @property
    def mean(self) -> float | None:
        """The group's score: the consensus, or the mean of the votes (don't
        know votes left out, as in individual means)."""
        if self.method == "consensus":
            return None if self.value is None else float(self.value)
        if self.method == "votes" and self.votes:
            counted = sum(self.votes[:5])
            if counted:
                return sum((i + 1) * n for i, n in enumerate(self.votes[:5])) / counted
        return None


@dataclass(slots=True)
class Session:
    id: int
    pseudonym: str
    facilitator_id: int
    survey_id: str
    language: str
    profile: dict[str, Any]  # PROFILE_FIELDS -> value or None
    texts: dict[str, str | None]  # TEXT_FIELDS -> value or None
    shown_step: str | None
    live_message_id: int | None
    last_message_id: int | None
    started_at: str
    submitted_at: str | None
    scores: dict[tuple[str, str], Score] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def new_session_pseudonym() -> str:
    """S + 12 random hex digits: a group's id, like a respondent's R…."""
    return "S" + new_pseudonym()[1:]


def parse_votes(text: str | None) -> tuple[int, ...] | None:
    return tuple(int(n) for n in text.split()) if text else None


async def start_session(
    store: Store, facilitator_id: int, survey: tuple[str, str, str], language: str
) -> Session:
    """A new session, and the facilitator's chat focused on it."""
    now = utc_now()
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO sessions (pseudonym, facilitator_id, survey_id, survey_version,"
            " survey_hash, language, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (new_session_pseudonym(), facilitator_id, *survey, language, now),
        )
        session_id = cursor.lastrowid
        await db.execute(
            "INSERT INTO facilitator_focus VALUES (?, 'session', ?) ON CONFLICT DO UPDATE"
            " SET kind = excluded.kind, target_id = excluded.target_id",
            (facilitator_id, session_id),
        )
    assert session_id is not None
    session = await get_session(store, session_id)
    assert session is not None
    return session


async def get_session(store: Store, session_id: int) -> Session | None:
    row = await store.fetchone("SELECT * FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        return None
    session = Session(
        id=row["id"],
        pseudonym=row["pseudonym"],
        facilitator_id=row["facilitator_id"],
        survey_id=row["survey_id"],
        language=row["language"],
        profile={name: row[name] for name in PROFILE_FIELDS},
        texts={name: row[name] for name in TEXT_FIELDS},
        shown_step=row["shown_step"],
        live_message_id=row["live_message_id"],
        last_message_id=row["last_message_id"],
        started_at=row["started_at"],
        submitted_at=row["submitted_at"],
    )
    for score in await store.fetchall(
        "SELECT item_code, kind, method, value, votes FROM session_scores WHERE session_id = ?",
        (session_id,),
    ):
        session.scores[(score["item_code"], score["kind"])] = Score(
            score["method"], score["value"], parse_votes(score["votes"])
        )
    for note in await store.fetchall(
        "SELECT item_code, text FROM session_notes WHERE session_id = ?", (session_id,)
    ):
        session.notes[note["item_code"]] = note["text"]
    return session


async def open_sessions(store: Store, facilitator_id: int) -> list[Session]:
    rows = await store.fetchall(
        "SELECT id FROM sessions WHERE facilitator_id = ? AND submitted_at IS NULL ORDER BY id",
        (facilitator_id,),
    )
    sessions = [await get_session(store, row["id"]) for row in rows]
    return [s for s in sessions if s is not None]


async def save_field(
    store: Store, session_id: int, name: str, value: object, message_id: int | None = None
) -> None:
    """One profile field or closing text; ``message_id`` marks a typed message as used."""
    if name not in PROFILE_FIELDS + TEXT_FIELDS:
        raise ValueError(f"unknown session field {name!r}")
    await store.execute(
        f"UPDATE sessions SET {name} = ?, shown_step = NULL,"
        " last_message_id = COALESCE(?, last_message_id) WHERE id = ?",
        (value, message_id, session_id),
    )


async def save_score(
    store: Store,
    session_id: int,
    item_code: str,
    kind: str,
    sdg: int,
    score: Score,
    message_id: int | None = None,
) -> None:
    votes = " ".join(str(n) for n in score.votes) if score.votes else None
    async with store.write() as db:
        await db.execute(
            "INSERT INTO session_scores VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
            " SET method = excluded.method, value = excluded.value, votes = excluded.votes,"
            " answered_at = excluded.answered_at",
            (session_id, item_code, kind, sdg, score.method, score.value, votes, utc_now()),
        )
        await db.execute(
            "UPDATE sessions SET shown_step = NULL,"
            " last_message_id = COALESCE(?, last_message_id) WHERE id = ?",
            (message_id, session_id),
        )


async def save_note(
    store: Store, session_id: int, item_code: str, text: str, message_id: int
) -> None:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO session_notes VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE"
            " SET text = excluded.text, answered_at = excluded.answered_at",
            (session_id, item_code, text, utc_now()),
        )
        await db.execute(
            "UPDATE sessions SET last_message_id = ? WHERE id = ?", (message_id, session_id)
        )


async def delete_note(store: Store, session_id: int, item_code: str) -> None:
    """The group's reasons for an indicator, removed (the facilitator's ✕ button)."""
    async with store.write() as db:
        await db.execute(
            "DELETE FROM session_notes WHERE session_id = ? AND item_code = ?",
            (session_id, item_code),
        )


async def set_shown(
    store: Store, session_id: int, shown_step: str | None, live_message_id: int | None
) -> None:
    await store.execute(
        "UPDATE sessions SET shown_step = ?, live_message_id = COALESCE(?, live_message_id)"
        " WHERE id = ?",
        (shown_step, live_message_id, session_id),
    )


async def submit(store: Store, session_id: int, facilitator_id: int) -> None:
    async with store.write() as db:
        await db.execute(
            "UPDATE sessions SET submitted_at = COALESCE(submitted_at, ?), shown_step = NULL"
            " WHERE id = ?",
            (utc_now(), session_id),
        )
        await db.execute(
            "DELETE FROM facilitator_focus WHERE facilitator_id = ? AND kind = 'session'"
            " AND target_id = ?",
            (facilitator_id, session_id),
        )
