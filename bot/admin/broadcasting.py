"""Broadcasts inside the running bot: audiences, preview, start, resume, report.

Delivery runs as an asyncio task of the Application (one per broadcast), so
the bot keeps answering respondents meanwhile; at start-up a JobQueue job
resumes whatever a crash or restart interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging

from telegram.error import TelegramError
from telegram.ext import Application

from bot.admin.delivery import Pacer, deliver
from bot.config import Settings
from bot.context import Context
from conversations.services import Services
from locales.i18n import Translate, translator
from storage import broadcasts, users

log = logging.getLogger(__name__)
MAX_CSV_BYTES = 1_000_000
MAX_CSV_IDS = 100_000


class AudienceError(ValueError):
    """An audience or CSV the admin needs to fix; the message is for the admin."""


def parse_ids(raw: bytes, _: Translate) -> list[int]:
    """Telegram user ids from the first column of a CSV; a header row is allowed."""
    if len(raw) > MAX_CSV_BYTES:
        raise AudienceError(_("The file is too large (at most 1 MB)."))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AudienceError(_("The file must be a UTF-8 CSV of Telegram user ids.")) from None
    ids: list[int] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cell = row[0].strip() if row else ""
        if not cell:
            continue
        if not cell.isdigit() or len(cell) > 15:
            if number == 1:
                continue  # a header
            raise AudienceError(
                _("Line {line}: {value} is not a Telegram user id.").format(
                    line=number, value=cell[:20]
                )
            )
        ids.append(int(cell))
    if not ids:
        raise AudienceError(_("The file holds no Telegram user ids."))
    if len(ids) > MAX_CSV_IDS:
        raise AudienceError(_("Too many ids (at most 100000)."))
    return ids


async def recipients_for(
    services: Services, audience: str, ids: list[int] | None
) -> list[tuple[int, int | None]]:
    if audience == "csv":
        return await broadcasts.resolve_ids(services.store, ids or [])
    return [
        (chat_id, user_id)
        for chat_id, user_id in await broadcasts.audience_users(
            services.store, audience, services.survey.id
        )
    ]


def tasks(application: Application) -> dict[int, asyncio.Task[dict[str, int]]]:  # type: ignore[type-arg]
    return application.bot_data.broadcast_tasks


def shared_pacer(application: Application) -> Pacer:  # type: ignore[type-arg]
    """One send budget for every broadcast and reminder of this bot."""
    settings: Settings = application.bot_data.settings
    if application.bot_data.pacer is None:
        application.bot_data.pacer = Pacer(settings.outreach.broadcast_rate)
    return application.bot_data.pacer


def report_text(broadcast_id: int, counts: dict[str, int], _: Translate, done: bool) -> str:
    head = (_("Broadcast {id} finished.") if done else _("Broadcast {id} in progress.")).format(
        id=broadcast_id
    )
    lines = [
        head,
        _("Sent: {n}").format(n=counts["sent"]),
        _("Blocked the bot: {n}").format(n=counts["blocked"]),
        _("Failed: {n}").format(n=counts["failed"]),
        _("Skipped (opted out since): {n}").format(n=counts["skipped"]),
        _("Uncertain (interrupted mid-send, not resent): {n}").format(n=counts["uncertain"]),
    ]
    if not done:
        lines.append(_("Waiting: {n}").format(n=counts["pending"] + counts["sending"]))
    return "\n".join(lines)


def start_delivery(application: Application, broadcast_id: int) -> asyncio.Task[dict[str, int]] | None:  # type: ignore[type-arg]
    """Run a broadcast's delivery as a task of the application (once per process).

    With webhook workers only the leader delivers (one send rate for the whole
    bot): elsewhere this does nothing and the leader picks the broadcast up
    within seconds (``bot/webhook/jobs.py``)."""
    cluster = application.bot_data.cluster
    if cluster is not None and not cluster.leader:
        return None
    running = tasks(application)
    if broadcast_id in running and not running[broadcast_id].done():
        return running[broadcast_id]
    task = application.create_task(
        _run(application, broadcast_id), name=f"broadcast-{broadcast_id}"
    )
    running[broadcast_id] = task
    return task


async def _run(application: Application, broadcast_id: int) -> dict[str, int]:  # type: ignore[type-arg]
    services: Services = application.bot_data.services
    settings: Settings = application.bot_data.settings
    bot = application.bot
    broadcast = await broadcasts.get(services.store, broadcast_id)
    assert broadcast is not None
    chat_id = broadcast.report_chat_id
    admin = await users.get_user(services.store, broadcast.created_by)
    _ = translator((admin.language if admin else None) or settings.default_language)
    progress_message = None

    async def progress(counts: dict[str, int]) -> None:
        nonlocal progress_message
        if chat_id is None:
            return
        text = report_text(broadcast_id, counts, _, done=False)
        with contextlib.suppress(TelegramError):
            if progress_message is None:
                progress_message = await bot.send_message(chat_id, text)
            else:
                await progress_message.edit_text(text)

    try:
        counts = await deliver(
            services.store,
            bot,
            broadcast_id,
            settings.outreach.broadcast_rate,
            progress,
            bot_username=bot.username,
            pacer=shared_pacer(application),
        )
    except Exception:
        log.exception("broadcast %d stopped; it resumes at the next start", broadcast_id)
        raise
    log.info("broadcast %d finished: %s", broadcast_id, counts)
    if chat_id is not None:
        with contextlib.suppress(TelegramError):
            await bot.send_message(chat_id, report_text(broadcast_id, counts, _, done=True))
    return counts


async def resume_unfinished(context: Context) -> None:
    """At start-up: continue every broadcast a crash or restart left running."""
    application = context.application
    services: Services = application.bot_data.services
    for broadcast_id in await broadcasts.running(services.store):
        if broadcast_id in tasks(application):
            continue  # already being delivered by this process
        uncertain = await broadcasts.mark_interrupted(services.store, broadcast_id)
        log.info(
            "resuming broadcast %d (%d uncertain after the interruption)", broadcast_id, uncertain
        )
        start_delivery(application, broadcast_id)
