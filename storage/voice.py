"""Voice comments: Telegram's file id and where the copy on disk is.

``path`` is relative to the database's folder (``voice/<pseudonym>/<file>.ogg``),
so a data folder moved or restored elsewhere still finds its files. Rows go
with their response (ON DELETE CASCADE); the files are removed by whoever
deletes the person, after reading :func:`voice_files_of_user`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.dialect import is_postgres
from storage.store import Store, utc_now

VOICE_FOLDER = "voice"


@dataclass(frozen=True, slots=True)
class VoiceComment:
    question_id: str
    file_id: str
    file_unique_id: str
    path: str | None
    duration: int
    created_at: str


def data_folder(store: Store) -> Path:
    """The folder of the database: voice files live beside it."""
    if is_postgres(store.path):
        return Path("data").resolve()  # PostgreSQL: a data/ folder where the bot runs
    return Path(store.path).resolve().parent


def voice_path(pseudonym: str, file_unique_id: str) -> str:
    """Where a voice note is kept, relative to the data folder."""
    safe = "".join(c for c in file_unique_id if c.isalnum() or c in "-_") or "voice"
    return f"{VOICE_FOLDER}/{pseudonym}/{safe}.ogg"


async def save_voice(
    store: Store,
    response_id: int,
    question_id: str,
    *,
    file_id: str,
    file_unique_id: str,
    path: str,
    duration: int,
    size: int | None,
    message_id: int,
) -> bool:
    """Store a voice comment; ``False`` when this file was stored already (a
    message delivered twice). The response's last message moves on with it."""
    async with store.write() as db:
        cursor = await db.execute(
            "INSERT INTO voice_comments (response_id, question_id, file_id, file_unique_id,"
            " path, duration, size, message_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (response_id, file_unique_id) DO NOTHING",
            (
                response_id,
                question_id,
                file_id,
                file_unique_id,
                path,
                duration,
                size,
                message_id,
                utc_now(),
            ),
        )
        stored = cursor.rowcount == 1
        await db.execute(
            "UPDATE responses SET last_message_id = MAX(COALESCE(last_message_id, 0), ?),"
            " updated_at = ? WHERE id = ?",
            (message_id, utc_now(), response_id),
        )
    return stored


async def voice_comments(store: Store, response_id: int) -> list[VoiceComment]:
    rows = await store.fetchall(
        "SELECT question_id, file_id, file_unique_id, path, duration, created_at"
        " FROM voice_comments WHERE response_id = ? ORDER BY created_at, id",
        (response_id,),
    )
    return [VoiceComment(*row) for row in rows]


async def voice_files_of_user(store: Store, user_id: int) -> list[str]:
    """Every voice file path of a person (relative to the data folder)."""
    rows = await store.fetchall(
        "SELECT v.path FROM voice_comments v JOIN responses r ON r.id = v.response_id"
        " WHERE r.user_id = ? AND v.path IS NOT NULL",
        (user_id,),
    )
    return [row[0] for row in rows]
