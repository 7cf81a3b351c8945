"""Voice comments: where a comment is asked, a voice note is accepted and kept.

The note is downloaded through the handler's ``fetch`` (this module never
talks to Telegram), written to ``<data folder>/voice/<pseudonym>/<id>.ogg``
in a worker thread, and recorded in ``voice_comments`` before the reply.
Deleting a person removes their voice files from disk with their rows.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from conversations.journey import Reply, language_of, shown_now, text_key
from conversations.screens import MAX_VOICE_BYTES, MAX_VOICE_SECONDS
from conversations.services import Services
from conversations.shown import step_of
from conversations.text import again
from locales.i18n import translator
from storage import responses, users, voice
from storage.responses import Answers, Response
from storage.users import User
from survey.steps import comment_key

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VoiceNote:
    file_id: str
    file_unique_id: str
    duration: int
    size: int | None
    message_id: int


def comment_question(services: Services, response: Response, answers: Answers) -> str | None:
    """The comment the current screen asks for (a rating screen's goal comment, a
    goal comment screen, a closing text question), or ``None``."""
    survey = services.survey
    step = step_of(survey, shown_now(services, response, answers))
    if step is None:
        return None
    if step.kind == "rating":
        return comment_key(survey.items[step.index][0].id)
    if step.kind == "comment" or (
        step.kind == "closing" and survey.closing[step.index].kind == "text"
    ):
        return text_key(survey, step)
    return None


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)  # never a half-written note under the final name


async def answer_voice(
    services: Services,
    user: User,
    response: Response,
    answers: Answers,
    note: VoiceNote,
    fetch: Callable[[], Awaitable[bytes]],
) -> Reply | None:
    """Keep a voice note as the comment the screen asks for; the question again after.

    ``None``: this message was answered already (Telegram delivered it twice).
    """
    store = services.store
    if await responses.answered_by_message(store, response.id, note.message_id):
        return None
    language = language_of(services, user)
    _ = translator(language)
    current = shown_now(services, response, answers)
    key = comment_question(services, response, answers)
    problem = None
    if key is None:
        problem = _("A voice note can be a comment, but this question takes the buttons below.")
    # Long or large notes are refused before anything is downloaded.
    elif note.duration > MAX_VOICE_SECONDS or (note.size or 0) > MAX_VOICE_BYTES:
        problem = _(
            "That voice note is too long: please keep it under {minutes} minutes"
            " ({megabytes} MB), or type your comment."
        ).format(minutes=MAX_VOICE_SECONDS // 60, megabytes=MAX_VOICE_BYTES // (1024 * 1024))
    relative = voice.voice_path(user.pseudonym, note.file_unique_id)
    if problem is None and not await _keep(voice.data_folder(store) / relative, fetch):
        problem = _(
            "Sorry, your voice comment could not be saved. Please try again, or type your comment."
        )
    if problem is not None or key is None:
        return again(services, answers, current, language, problem or "")
    await voice.save_voice(
        store,
        response.id,
        key,
        file_id=note.file_id,
        file_unique_id=note.file_unique_id,
        path=relative,
        duration=note.duration,
        size=note.size,
        message_id=note.message_id,
    )
    return again(
        services,
        answers,
        current,
        language,
        _("Saved your voice comment. Here is the question again."),
    )


async def _keep(path: Path, fetch: Callable[[], Awaitable[bytes]]) -> bool:
    """Download the note and write it; False (and nothing kept) when either fails."""
    try:
        data = await fetch()
        if len(data) > MAX_VOICE_BYTES:
            raise ValueError("larger than announced")
        await asyncio.to_thread(_write, path, bytes(data))
    except Exception as error:  # a failed download or a full disk: nothing is kept
        log.warning("a voice comment could not be kept: %s", type(error).__name__)
        return False
    return True


async def delete_person(services: Services, user: User) -> None:
    """/delete: the person's rows, then their voice files and folder on disk."""
    paths = await voice.voice_files_of_user(services.store, user.id)
    await users.delete_user(services.store, user.id)
    folder = voice.data_folder(services.store)
    await asyncio.to_thread(
        _remove, [folder / p for p in paths], folder / voice.VOICE_FOLDER / user.pseudonym
    )


def _remove(files: list[Path], person_folder: Path) -> None:
    for path in files:
        path.unlink(missing_ok=True)
    # The folder is the person's alone: anything left in it (a note whose row
    # was never written) goes too.
    shutil.rmtree(person_folder, ignore_errors=True)
