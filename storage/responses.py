"""A respondent's response to one survey and every answer in it.

Each save is one short transaction that is committed before the caller shows
the next question. Saves are upserts that leave a row untouched when the
value is unchanged, so a repeated update is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from storage.store import Store, utc_now


@dataclass(frozen=True, slots=True)
class Response:
    id: int
    user_id: int
    survey_id: str
    survey_version: str
    survey_hash: str
    invitation_code: str | None
    started_at: str
    submitted_at: str | None
    live_message_id: int | None
    shown_step: str | None


@dataclass(frozen=True, slots=True)
class Rating:
    value: int | None  # None: "don't know" (or a skip)
    skipped: bool


@dataclass(slots=True)
class Answers:
    """Everything a response holds, read in one go to derive the position."""

    profile: dict[str, str] = field(default_factory=dict)
    ratings: dict[tuple[str, str], Rating] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    choices: dict[str, tuple[list[str], bool]] = field(default_factory=dict)


def _response(row: Any) -> Response:
    return Response(**{name: row[name] for name in Response.__slots__})


async def get_response(store: Store, user_id: int, survey_id: str) -> Response | None:
    row = await store.fetchone(
        "SELECT * FROM responses WHERE user_id = ? AND survey_id = ?", (user_id, survey_id)
    )
    return _response(row) if row else None


async def start_response(
    store: Store,
    user_id: int,
    survey_id: str,
    survey_version: str,
    survey_hash: str,
    invitation_code: str | None,
    prefill: dict[str, str],
) -> Response:
    """Create the response once; a valid invitation is counted and prefills the profile."""
    now = utc_now()
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO responses (user_id, survey_id, survey_version, survey_hash,"
            " invitation_code, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, survey_id) DO NOTHING",
            (user_id, survey_id, survey_version, survey_hash, invitation_code, now, now),
        )
        if cursor.rowcount == 1 and cursor.lastrowid is not None:
            response_id = cursor.lastrowid
            if invitation_code is not None:
                await db.execute(
                    "UPDATE invitations SET uses = uses + 1 WHERE code = ?", (invitation_code,)
                )
            await db.executemany(
                "INSERT INTO profile_answers VALUES (?, ?, ?, ?)",
                [(response_id, key, value, now) for key, value in prefill.items()],
            )
        await db.execute("UPDATE users SET invitation_code = NULL WHERE id = ?", (user_id,))
    response = await get_response(store, user_id, survey_id)
    assert response is not None
    return response


async def load_answers(store: Store, response_id: int) -> Answers:
    answers = Answers()
    async with store.read() as db:  # one consistent snapshot of four tables
        async with db.execute(
            "SELECT question_id, choice FROM profile_answers WHERE response_id = ?",
            (response_id,),
        ) as cur:
            answers.profile = {r[0]: r[1] async for r in cur}
        async with db.execute(
            "SELECT item_code, kind, value, skipped FROM ratings WHERE response_id = ?",
            (response_id,),
        ) as cur:
            answers.ratings = {(r[0], r[1]): Rating(r[2], bool(r[3])) async for r in cur}
        async with db.execute(
            "SELECT question_id, text FROM texts WHERE response_id = ?", (response_id,)
        ) as cur:
            answers.texts = {r[0]: r[1] async for r in cur}
        async with db.execute(
            "SELECT question_id, selected, done FROM choices WHERE response_id = ?",
            (response_id,),
        ) as cur:
            answers.choices = {
                r[0]: ([s for s in r[1].split(",") if s], bool(r[2])) async for r in cur
            }
    return answers


async def _touch(db: Any, response_id: int, shown_step: str | None, now: str) -> None:
    await db.execute(
        "UPDATE responses SET updated_at = ?, shown_step = ? WHERE id = ?",
        (now, shown_step, response_id),
    )


async def save_profile(
    store: Store, response_id: int, question_id: str, choice: str, next_step: str | None
) -> None:
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "INSERT INTO profile_answers VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " choice = excluded.choice, answered_at = excluded.answered_at"
            " WHERE choice IS NOT excluded.choice",
            (response_id, question_id, choice, now),
        )
        await _touch(db, response_id, next_step, now)


async def save_rating(
    store: Store,
    response_id: int,
    item_code: str,
    kind: str,
    sdg: int,
    value: int | None,
    skipped: bool,
    next_step: str | None,
) -> None:
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " value = excluded.value, skipped = excluded.skipped,"
            " answered_at = excluded.answered_at"
            " WHERE value IS NOT excluded.value OR skipped IS NOT excluded.skipped",
            (response_id, item_code, kind, sdg, value, int(skipped), now),
        )
        await _touch(db, response_id, next_step, now)


async def save_text(
    store: Store, response_id: int, question_id: str, text: str | None, next_step: str | None
) -> None:
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "INSERT INTO texts VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " text = excluded.text, answered_at = excluded.answered_at"
            " WHERE text IS NOT excluded.text",
            (response_id, question_id, text, now),
        )
        await _touch(db, response_id, next_step, now)


async def save_choices(
    store: Store,
    response_id: int,
    question_id: str,
    selected: list[str],
    done: bool,
    next_step: str | None,
) -> None:
    now = utc_now()
    async with store.write() as db:
        await db.execute(
            "INSERT INTO choices VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " selected = excluded.selected, done = excluded.done,"
            " answered_at = excluded.answered_at",
            (response_id, question_id, ",".join(selected), int(done), now),
        )
        await _touch(db, response_id, next_step, now)


async def set_shown(
    store: Store, response_id: int, shown_step: str | None, live_message_id: int | None
) -> None:
    """Remember which message is live and what it shows (UI bookkeeping only)."""
    async with store.write() as db:
        await db.execute(
            "UPDATE responses SET shown_step = ?,"
            " live_message_id = COALESCE(?, live_message_id) WHERE id = ?",
            (shown_step, live_message_id, response_id),
        )


async def submit(store: Store, response_id: int) -> None:
    async with store.write() as db:
        now = utc_now()
        await db.execute(
            "UPDATE responses SET submitted_at = COALESCE(submitted_at, ?), updated_at = ?,"
            " shown_step = NULL WHERE id = ?",
            (now, now, response_id),
        )
