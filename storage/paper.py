"""Paper forms: filled-in rows imported as respondents, all or nothing.

A whole file is one write transaction: either every new row becomes a
respondent (user, consent, response, answers, form id) or nothing is written.
Form ids already imported are left out and reported, never imported twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiosqlite

from storage.rounds import CURRENT_ROUND
from storage.store import Store, utc_now
from storage.users import new_pseudonym


@dataclass(slots=True)
class PaperForm:
    """One respondent's answers from a paper form, already validated."""

    form_id: str
    profile: dict[str, str] = field(default_factory=dict)  # question id -> stored choice
    # (item code, kind, sdg) -> value: 1-5, None "don't know"; a missing key is skipped
    ratings: dict[tuple[str, str, int], int | None] = field(default_factory=dict)
    skipped: list[tuple[str, str, int]] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # question id -> text
    choices: dict[str, list[str]] = field(default_factory=dict)  # question id -> ids


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: list[str]  # form ids
    already: list[str]  # form ids imported before, skipped


async def imported_form_ids(store: Store, form_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(form_ids), 500):  # under SQLite's variable limit
        chunk = form_ids[start : start + 500]
        rows = await store.fetchall(
            f"SELECT form_id FROM paper_forms WHERE form_id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        found |= {row[0] for row in rows}
    return found


async def import_forms(
    store: Store,
    forms: list[PaperForm],
    *,
    survey_id: str,
    survey_version: str,
    survey_hash: str,
    language: str,
    consent_version: str,
) -> ImportResult:
    """Store every form not imported before, in one transaction, as a submitted
    ``paper`` response of a new respondent without Telegram (negative id, chat 0)."""
    now = utc_now()
    imported, already = [], []
    async with store.write() as db:
        for form in forms:
            async with db.execute(
                "SELECT 1 FROM paper_forms WHERE form_id = ?", (form.form_id,)
            ) as cursor:
                if await cursor.fetchone() is not None:
                    already.append(form.form_id)
                    continue
            response_id = await _new_respondent(
                db, language, consent_version, (survey_id, survey_version, survey_hash), now
            )
            await _store_answers(db, response_id, form, now)
            await db.execute(
                "INSERT INTO paper_forms (form_id, response_id, imported_at) VALUES (?, ?, ?)",
                (form.form_id, response_id, now),
            )
            imported.append(form.form_id)
    return ImportResult(imported, already)


async def _new_respondent(
    db: aiosqlite.Connection,
    language: str,
    consent_version: str,
    survey: tuple[str, str, str],
    now: str,
) -> int:
    """A user without Telegram, their consent and their submitted paper response; its id.

    ``survey`` is the survey's id, version and content hash.
    """
    # The same rule as users.create_offline_user: the next free negative id.
    cursor = await db.execute(
        "INSERT INTO users (telegram_id, chat_id, pseudonym, language, created_at)"
        " SELECT MIN(COALESCE(MIN(telegram_id), 0), 0) - 1, 0, ?, ?, ? FROM users",
        (new_pseudonym(), language, now),
    )
    user_id = cursor.lastrowid
    await db.execute(
        "INSERT INTO consents (user_id, agreed, consent_version, decided_at) VALUES (?, 1, ?, ?)",
        (user_id, consent_version, now),
    )
    cursor = await db.execute(
        "INSERT INTO responses (user_id, survey_id, survey_version, survey_hash,"
        " started_at, updated_at, submitted_at, mode, round_id)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?, 'paper', {CURRENT_ROUND})",
        (user_id, *survey, now, now, now),
    )
    response_id = cursor.lastrowid
    assert response_id is not None
    return response_id


async def _store_answers(
    db: aiosqlite.Connection, response_id: int, form: PaperForm, now: str
) -> None:
    """The form's profile, ratings, skips, texts and picks."""
    # The profile first, so the rating totals' triggers file the ratings
    # under the right group, region and area.
    await db.executemany(
        "INSERT INTO profile_answers VALUES (?, ?, ?, ?)",
        [(response_id, key, choice, now) for key, choice in form.profile.items()],
    )
    await db.executemany(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, 0, ?)",
        [
            (response_id, code, kind, sdg, value, now)
            for (code, kind, sdg), value in form.ratings.items()
        ],
    )
    await db.executemany(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, NULL, 1, ?)",
        [(response_id, code, kind, sdg, now) for code, kind, sdg in form.skipped],
    )
    await db.executemany(
        "INSERT INTO texts (response_id, question_id, text, answered_at) VALUES (?, ?, ?, ?)",
        [(response_id, key, text, now) for key, text in form.texts.items()],
    )
    await db.executemany(
        "INSERT INTO choices VALUES (?, ?, ?, 1, ?)",
        [(response_id, key, ",".join(ids), now) for key, ids in form.choices.items()],
    )
    # The triggers of migration 3 point the live message somewhere; a
    # paper response has none.
    await db.execute(
        "UPDATE responses SET shown_step = NULL, submitted_at = ? WHERE id = ?",
        (now, response_id),
    )
