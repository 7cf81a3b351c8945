"""A respondent's response to one survey and every answer in it.

Each save is one short transaction that is committed before the caller shows
the next question. Saves are upserts that leave a row untouched when the
value is unchanged, so a repeated update is harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from storage.rounds import CURRENT_ROUND
from storage.store import Store, utc_now
from storage.users import Consent, User, user_from_row


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
    last_message_id: int | None = None
    mode: str = "self"  # self, interview or paper (migration 9)
    round_id: str = ""  # '' before the first round (migration 13)


@dataclass(frozen=True, slots=True)
class Rating:
    value: int | None  # None: "don't know" (or a skip)
    skipped: bool


# Every rating there can be, made once: a tap reads back all of a response's
# ratings (up to 138), and building each anew was a tenth of a late tap.
_RATINGS = {
    (value, skipped): Rating(value, bool(skipped))
    for value in (None, 1, 2, 3, 4, 5)
    for skipped in (0, 1)
}


def rating_of(value: int | None, skipped: object) -> Rating:
    """The stored rating (``skipped`` as the database gives it: 0/1 or a bool)."""
    return _RATINGS.get((value, int(bool(skipped)))) or Rating(value, bool(skipped))


@dataclass(slots=True)
class Answers:
    """Everything a response holds, read in one go to derive the position."""

    profile: dict[str, str] = field(default_factory=dict)
    ratings: dict[tuple[str, str], Rating] = field(default_factory=dict)
    texts: dict[str, str | None] = field(default_factory=dict)
    choices: dict[str, tuple[list[str], bool]] = field(default_factory=dict)
    # The indicator codes this response is asked about (a provider invitation's
    # subset); empty: every indicator.
    only: frozenset[str] = frozenset()
    # What survey.steps derived from the profile, kept for the rest of the tap
    # (a tap asks for it a dozen times): (survey, profile, only, derived).
    derived: tuple[object, dict[str, str], frozenset[str], object] | None = field(
        default=None, compare=False, repr=False
    )


def _codes(stored: str | None) -> frozenset[str]:
    return frozenset(code for code in (stored or "").split(",") if code)


def _response(row: Any) -> Response:
    return Response(**{name: row[name] for name in Response.__slots__})


async def get_response(store: Store, user_id: int, survey_id: str) -> Response | None:
    """The person's response in the current round (storage.rounds)."""
    row = await store.fetchone(
        "SELECT * FROM responses WHERE user_id = ? AND survey_id = ?"
        f" AND round_id = {CURRENT_ROUND}",
        (user_id, survey_id),
    )
    return _response(row) if row else None


_RESPONSE_COLUMNS = ", ".join(f"r.{name} AS r_{name}" for name in Response.__slots__)
# The answers ride along as JSON, so a tap needs one trip to the database
# thread to learn everything about the person, and one more to save.
_ANSWER_COLUMNS = (
    "(SELECT json_group_object(question_id, choice) FROM profile_answers"
    " WHERE response_id = r.id) AS a_profile,"
    " (SELECT json_group_array(json_array(item_code, kind, value, skipped)) FROM ratings"
    " WHERE response_id = r.id) AS a_ratings,"
    " (SELECT json_group_object(question_id, text) FROM texts"
    " WHERE response_id = r.id) AS a_texts,"
    " (SELECT json_group_object(question_id, json_array(selected, done)) FROM choices"
    " WHERE response_id = r.id) AS a_choices"
)


# A facilitator's current interview or session rides along too (migration 11),
# so a tap stays two trips to the database thread for everyone; so do a
# guardian's decision for a child and whether the response's round is open
# (what conversations.gate decides on).
_FOCUS_COLUMN = (
    "(SELECT json_array(f.kind, f.target_id) FROM facilitator_focus f"
    " JOIN facilitators x ON x.telegram_id = f.facilitator_id"
    " WHERE f.facilitator_id = u.telegram_id) AS a_focus,"
    " (SELECT g.agreed FROM guardian_consents g WHERE g.user_id = u.id) AS a_guardian,"
    " (SELECT o.closed_at IS NULL FROM rounds o WHERE o.id = r.round_id) AS a_round_open,"
    " (SELECT i.only_codes FROM invitations i WHERE i.code = r.invitation_code) AS a_only"
)


@dataclass(frozen=True, slots=True)
class RespondentState:
    user: User
    consent: Consent | None
    response: Response | None
    answers: Answers  # empty without a response
    # For a facilitator: what their chat is on, ("interview" | "session", id).
    focus: tuple[str, int] | None = None
    # A guardian's decision for a child (None: none recorded).
    guardian_agreed: bool | None = None
    # Whether the response's round is open (None: no response, or no round yet).
    round_open: bool | None = None


async def respondent_state(
    store: Store, telegram_id: int, survey_id: str
) -> RespondentState | None:
    """A person, their consent, response and answers in one query: asked on every tap."""
    row = await store.fetchone(
        "SELECT u.*, c.agreed AS consent_agreed, c.consent_version, c.decided_at, "
        + _RESPONSE_COLUMNS
        + ", "
        + _ANSWER_COLUMNS
        + ", "
        + _FOCUS_COLUMN
        + " FROM users u LEFT JOIN consents c ON c.user_id = u.id"
        " LEFT JOIN responses r ON r.user_id = u.id AND r.survey_id = ?"
        f" AND r.round_id = {CURRENT_ROUND}"
        " WHERE u.telegram_id = ?",
        (survey_id, telegram_id),
    )
    if row is None:
        return None
    consent = (
        None
        if row["consent_agreed"] is None
        else Consent(bool(row["consent_agreed"]), row["consent_version"], row["decided_at"])
    )
    response = (
        None
        if row["r_id"] is None
        else Response(**{name: row[f"r_{name}"] for name in Response.__slots__})
    )
    answers = Answers(
        profile=json.loads(row["a_profile"] or "{}"),
        ratings={
            (code, kind): rating_of(value, skipped)
            for code, kind, value, skipped in json.loads(row["a_ratings"] or "[]")
        },
        texts=json.loads(row["a_texts"] or "{}"),
        choices={
            key: ([s for s in selected.split(",") if s], bool(done))
            for key, (selected, done) in json.loads(row["a_choices"] or "{}").items()
        },
        only=_codes(row["a_only"]),
    )
    focus = json.loads(row["a_focus"]) if row["a_focus"] else None
    return RespondentState(
        user_from_row(row),
        consent,
        response,
        answers,
        (focus[0], focus[1]) if focus else None,
        None if row["a_guardian"] is None else bool(row["a_guardian"]),
        None if row["a_round_open"] is None else bool(row["a_round_open"]),
    )


async def start_response(
    store: Store,
    user_id: int,
    survey_id: str,
    survey_version: str,
    survey_hash: str,
    invitation_code: str | None,
    prefill: dict[str, str],
    mode: str = "self",
) -> Response:
    """Create the response once; a valid invitation is counted and prefills the profile.

    The invitation's use is counted in the same transaction, and only while it
    is still usable, so two people racing for a code's last use cannot both win.
    """
    now = utc_now()
    async with store.write() as db:
        async with db.execute(
            "SELECT 1 FROM responses WHERE user_id = ? AND survey_id = ?"
            f" AND round_id = {CURRENT_ROUND}",
            (user_id, survey_id),
        ) as cursor:
            exists = await cursor.fetchone() is not None
        if not exists:
            if invitation_code is not None:
                counted = await db.execute(
                    "UPDATE invitations SET uses = uses + 1 WHERE code = ? AND revoked_at IS NULL"
                    " AND (max_uses IS NULL OR uses < max_uses)"
                    " AND (expires_at IS NULL OR expires_at > ?)",
                    (invitation_code, now),
                )
                if counted.rowcount != 1:
                    invitation_code, prefill = None, {}
            cursor = await db.execute(
                "INSERT INTO responses (user_id, survey_id, survey_version, survey_hash,"
                " invitation_code, started_at, updated_at, mode, round_id)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, {CURRENT_ROUND})",
                (user_id, survey_id, survey_version, survey_hash, invitation_code, now, now, mode),
            )
            await db.executemany(
                "INSERT INTO profile_answers VALUES (?, ?, ?, ?)",
                [(cursor.lastrowid, key, value, now) for key, value in prefill.items()],
            )
        await db.execute("UPDATE users SET invitation_code = NULL WHERE id = ?", (user_id,))
    response = await get_response(store, user_id, survey_id)
    assert response is not None
    return response


async def load_answers(store: Store, response_id: int) -> Answers:
    """All of a response's answers in one statement: one consistent snapshot."""
    rows = await store.fetchall(
        "SELECT 'p', question_id, choice, NULL, NULL FROM profile_answers WHERE response_id = ?"
        " UNION ALL SELECT 'r', item_code, kind, value, skipped FROM ratings WHERE response_id = ?"
        " UNION ALL SELECT 't', question_id, text, NULL, NULL FROM texts WHERE response_id = ?"
        " UNION ALL SELECT 'c', question_id, selected, done, NULL FROM choices"
        " WHERE response_id = ?"
        " UNION ALL SELECT 'o', i.only_codes, NULL, NULL, NULL FROM responses r"
        " JOIN invitations i ON i.code = r.invitation_code WHERE r.id = ?",
        (response_id,) * 5,
    )
    answers = Answers()
    for table, key, text, number, flag in rows:
        if table == "p":
            answers.profile[key] = text
        elif table == "r":
            answers.ratings[(key, text)] = rating_of(number, flag)
        elif table == "o":
            answers.only = _codes(key)
        elif table == "t":
            answers.texts[key] = text
        else:
            answers.choices[key] = ([s for s in text.split(",") if s], bool(number))
    return answers


# Each save is a single autocommit statement; the triggers of migration 3 mark
# the response as active and its live message as showing the first open step.


async def save_profile(store: Store, response_id: int, question_id: str, choice: str) -> None:
    await store.execute(
        "INSERT INTO profile_answers VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " choice = excluded.choice, answered_at = excluded.answered_at"
        " WHERE choice IS NOT excluded.choice",
        (response_id, question_id, choice, utc_now()),
    )


async def save_rating(
    store: Store,
    response_id: int,
    item_code: str,
    kind: str,
    sdg: int,
    value: int | None,
    skipped: bool,
) -> None:
    await store.execute(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " value = excluded.value, skipped = excluded.skipped,"
        " answered_at = excluded.answered_at"
        " WHERE value IS NOT excluded.value OR skipped IS NOT excluded.skipped",
        (response_id, item_code, kind, sdg, value, int(skipped), utc_now()),
    )


async def save_text(
    store: Store,
    response_id: int,
    question_id: str,
    text: str | None,
    message_id: int | None = None,
) -> None:
    """Store a free-text answer (``None``: skipped) and the message it came from."""
    if message_id is None:
        await store.execute(_SAVE_TEXT, (response_id, question_id, text, utc_now(), None))
        return
    async with store.write() as db:
        await db.execute(_SAVE_TEXT, (response_id, question_id, text, utc_now(), message_id))
        await db.execute(
            "UPDATE responses SET last_message_id = MAX(COALESCE(last_message_id, 0), ?)"
            " WHERE id = ?",
            (message_id, response_id),
        )


_SAVE_TEXT = (
    "INSERT INTO texts (response_id, question_id, text, answered_at, message_id)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET text = excluded.text,"
    " answered_at = excluded.answered_at, message_id = excluded.message_id"
    " WHERE text IS NOT excluded.text"
)


async def answered_by_message(store: Store, response_id: int, message_id: int) -> bool:
    """Whether this Telegram message (or a later one) has already answered by typing."""
    row = await store.fetchone(
        "SELECT 1 FROM responses WHERE id = ? AND last_message_id >= ?"
        " UNION ALL SELECT 1 FROM texts WHERE response_id = ? AND message_id = ?",
        (response_id, message_id, response_id, message_id),
    )
    return row is not None


async def save_typed_ratings(
    store: Store,
    response_id: int,
    ratings: list[tuple[str, str, int, int | None]],
    message_id: int,
) -> None:
    """Ratings typed as digits (item code, kind, sdg, value), and the message they
    came from, in one transaction: a redelivered message finds itself answered."""
    now = utc_now()
    async with store.write() as db:
        for code, kind, sdg, value in ratings:
            await db.execute(
                "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO UPDATE SET"
                " value = excluded.value, skipped = 0, answered_at = excluded.answered_at"
                " WHERE value IS NOT excluded.value OR skipped",
                (response_id, code, kind, sdg, value, now),
            )
        await db.execute(
            "UPDATE responses SET last_message_id = MAX(COALESCE(last_message_id, 0), ?)"
            " WHERE id = ?",
            (message_id, response_id),
        )


async def save_choices(
    store: Store, response_id: int, question_id: str, selected: list[str], done: bool
) -> None:
    await store.execute(
        "INSERT INTO choices VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " selected = excluded.selected, done = excluded.done,"
        " answered_at = excluded.answered_at",
        (response_id, question_id, ",".join(selected), int(done), utc_now()),
    )


async def set_shown(
    store: Store, response_id: int, shown_step: str | None, live_message_id: int | None
) -> None:
    """Remember which message is live and what it shows (UI bookkeeping only)."""
    await store.execute(
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
