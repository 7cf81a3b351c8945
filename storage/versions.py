"""Every survey file the bot has run, kept by the SHA-256 a response records
(migration 13): a response finishes on the version it began on."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.store import Store, utc_now


@dataclass(frozen=True, slots=True)
class SurveyVersion:
    hash: str
    survey_id: str
    version: str
    text: str
    first_seen: str


async def record_version(
    store: Store, survey_id: str, version: str, digest: str, text: str
) -> None:
    """Keep the file's text the first time its hash is seen; later calls change nothing."""
    await store.execute(
        "INSERT INTO survey_versions VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (digest, survey_id, version, text, utc_now()),
    )


async def survey_versions(store: Store, survey_id: str) -> list[SurveyVersion]:
    rows = await store.fetchall(
        "SELECT * FROM survey_versions WHERE survey_id = ? ORDER BY first_seen", (survey_id,)
    )
    return [SurveyVersion(*row) for row in rows]


def versions_in_use(db: sqlite3.Connection, survey_id: str) -> list[tuple[str, str, int]]:
    """(version, hash, responses) of the submitted responses, oldest version first."""
    return [
        (row[0], row[1], row[2])
        for row in db.execute(
            "SELECT survey_version, survey_hash, COUNT(*) FROM responses"
            " WHERE survey_id = ? AND submitted_at IS NOT NULL"
            " GROUP BY survey_version, survey_hash ORDER BY MIN(started_at)",
            (survey_id,),
        )
    ]


def stored_texts(db: sqlite3.Connection, hashes: list[str]) -> dict[str, str]:
    marks = ", ".join("?" * len(hashes))
    return dict(
        db.execute(f"SELECT hash, text FROM survey_versions WHERE hash IN ({marks})", hashes)
    )
