"""Sending digests: on demand, on schedule, after downtime, with retries.

Scheduled digests are recorded in ``digest_deliveries`` (see
``storage.digests``): claimed before the first byte goes out, each part (text,
album, workbook) recorded in ``digest_parts`` before and after its request,
finished as sent, blocked or failed. So a window is never sent twice, and a
digest interrupted by a crash or an error resumes where it stopped: a part
Telegram refused is sent again, a part whose request was cut off (it may have
arrived) is not, and the coordinator is told which one to fetch with /digest.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from telegram import Bot, InputFile, InputMediaPhoto
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.config import Settings, reference_from_settings
from bot.context import Context
from bot.coordinator.schedule import Schedule, ScheduleError, parse_schedule
from locales.i18n import Translate, translator
from reporting.digest.build import Digest, build_digest
from reporting.digest.scope import (
    ScopeError,
    parse_scope,
    scope_from_json,
    scope_text,
    scope_to_json,
)
from reporting.publication import PublicationCache
from storage import digests, users
from storage.digests import Coordinator, Delivery
from storage.store import Store
from survey.model import Official, Survey

log = logging.getLogger(__name__)
# Seconds to wait before attempt 2, 3, ...; after the last one the digest is failed.
BACKOFF = (30, 120, 600, 1800)
JOB_PREFIX = "digest:"
# This process's built publications: a digest per coordinator on the same data
# builds each round's protection once (see reporting.publication.PublicationCache).
PUBLICATIONS = PublicationCache()


def official_overrides(settings: Settings) -> dict[int, Official]:
    return {
        int(key.removeprefix("sdg")): Official(level=value.level, source=value.source)
        for key, value in settings.digest.official.items()
    }


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


async def produce(
    settings: Settings,
    survey: Survey,
    scope: Mapping[str, str],
    start: datetime,
    end: datetime,
    language: str,
    mode: str | None = None,
) -> Digest:
    """Build a digest in a worker thread: pandas, matplotlib and XLSX stay off the loop."""
    return await asyncio.to_thread(
        build_digest,
        settings.storage.database,
        survey,
        dict(scope),
        start,
        end,
        language,
        settings.zone,
        settings.disclosure.k,
        official_overrides(settings),
        settings.digest.max_comments,
        reference_from_settings(settings.digest),
        mode,
        settings.publish.designed_by,
        settings.publish.url,
        PUBLICATIONS,
    )


Ledger = Callable[[str, str], Awaitable[None]]  # (part, state)


async def send_digest(
    bot: Bot,
    chat_id: int,
    digest: Digest,
    language: str,
    skip: Collection[str] = (),
    ledger: Ledger | None = None,
) -> None:
    """Text, then the charts as an album, then the workbook; skips the parts in ``skip``.

    With a ``ledger``, each part is recorded 'sending' before its request and 'sent'
    after Telegram's answer; a part Telegram refuses is recorded 'refused' (not
    delivered). A timeout or a crash leaves it 'sending': it may have arrived."""
    _ = translator(language)
    day = digest.analysis.end.strftime("%Y-%m-%d")
    steps = {
        "text": lambda: bot.send_message(chat_id, digest.text, parse_mode=ParseMode.HTML),
        "album": lambda: bot.send_media_group(
            chat_id,
            [
                # attach=True: each chart its own multipart part ("attach://…"); without
                # it every photo would upload under the one field name "media".
                InputMediaPhoto(InputFile(png, filename=f"chart{n}.png", attach=True))
                for n, png in enumerate(digest.charts, start=1)
            ],
        ),
        "workbook": lambda: bot.send_document(
            chat_id,
            InputFile(digest.workbook, filename=f"scorecard-digest-{day}.xlsx"),
            caption=_("Workbook: summary, breakdowns, indicators, comments."),
        ),
    }
    for part, step in steps.items():
        if part in skip:
            continue
        if ledger is not None:
            await ledger(part, "sending")
        try:
            await step()
        except TimedOut:  # the request may have reached Telegram: left 'sending'
            raise
        except TelegramError:  # Telegram answered with an error: not delivered
            if ledger is not None:
                await ledger(part, "refused")
            raise
        if ledger is not None:
            await ledger(part, "sent")


def part_names(parts: Collection[str], language: str) -> str:
    _ = translator(language)
    names = {"text": _("the message"), "album": _("the charts"), "workbook": _("the workbook")}
    return ", ".join(names[part] for part in digests.PARTS if part in parts)


def store_of(application: Application) -> Store:  # type: ignore[type-arg]
    return application.bot_data.services.store


async def tell_admins(
    application: Application,  # type: ignore[type-arg]
    message: Callable[[Translate], str],
) -> None:
    """Tell every admin, each in their own language."""
    settings: Settings = application.bot_data.settings
    store = store_of(application)
    for admin in settings.access.admins:
        user = await users.get_user(store, admin)
        _ = translator((user.language if user else None) or settings.default_language)
        try:
            await application.bot.send_message(admin, message(_))
        except TelegramError:
            log.warning("could not tell an admin about a digest problem")


async def deliver(
    application: Application,  # type: ignore[type-arg]
    telegram_id: int,
    window_start: datetime,
    window_end: datetime,
) -> str:
    """Send one scheduled digest unless it was already sent; returns the outcome."""
    settings: Settings = application.bot_data.settings
    survey: Survey = application.bot_data.survey
    store = store_of(application)
    coordinator = await digests.get_coordinator(store, telegram_id)
    if coordinator is None or not coordinator.active:
        return "inactive"
    key = (telegram_id, stamp(window_end))
    running = application.bot_data.digests_in_flight
    if key in running:
        return "in flight"
    delivery = await digests.claim_delivery(store, telegram_id, stamp(window_start), key[1])
    if delivery is None:
        return "already sent"
    running.add(key)
    try:
        digest = await produce(
            settings,
            survey,
            scope_from_json(coordinator.scope),
            window_start,
            window_end,
            coordinator.language,
        )

        states = await digests.part_states(store, delivery.id)
        # 'sending' from an earlier attempt: interrupted by a crash or a timeout, so it
        # may have arrived. Never sent twice: the coordinator is told instead.
        interrupted = [part for part, state in states.items() if state == "sending"]

        async def ledger(part: str, state: str) -> None:
            if state == "refused":
                await digests.clear_part(store, delivery.id, part)
            else:
                await digests.mark_part(store, delivery.id, part, state)

        await send_digest(
            application.bot, telegram_id, digest, coordinator.language, states, ledger
        )
        if interrupted:
            await _tell_interrupted(application, delivery, telegram_id, interrupted, coordinator)
    except Forbidden:
        return await _blocked(application, delivery, telegram_id)
    except RetryAfter as error:
        await digests.finish_delivery(store, delivery.id, "retrying", "retry after")
        schedule_retry(application, telegram_id, window_start, window_end, _seconds(error))
        return "retry after"
    except BadRequest as error:  # a retry would fail the same way
        return await _failed(application, delivery, telegram_id, str(error)[:200])
    except Exception as error:  # network errors and anything unexpected: retry later
        log.warning(
            "digest for a coordinator failed (attempt %d)", delivery.attempts, exc_info=error
        )
        if delivery.attempts <= len(BACKOFF):
            await digests.finish_delivery(store, delivery.id, "retrying", type(error).__name__)
            delay = BACKOFF[delivery.attempts - 1]
            schedule_retry(application, telegram_id, window_start, window_end, delay)
            return "retrying"
        return await _failed(application, delivery, telegram_id, type(error).__name__)
    finally:
        running.discard(key)
    await digests.finish_delivery(store, delivery.id, "sent")
    return "sent"


async def _tell_interrupted(
    application: Application,  # type: ignore[type-arg]
    delivery: Delivery,
    telegram_id: int,
    parts: list[str],
    coordinator: Coordinator,
) -> None:
    """Say which parts a crash interrupted (sent at most once, never repeated)."""
    _ = translator(coordinator.language)
    await application.bot.send_message(
        telegram_id,
        _(
            "Sending {parts} of this digest was interrupted, so it may be missing."
            " Send /digest for a fresh copy."
        ).format(parts=part_names(parts, coordinator.language)),
    )
    for part in parts:
        await digests.mark_part(store_of(application), delivery.id, part, "unknown")


def _seconds(error: RetryAfter) -> float:
    """How long Telegram asks us to wait before trying again."""
    with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta
        warnings.simplefilter("ignore")
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


async def _blocked(
    application: Application,  # type: ignore[type-arg]
    delivery: Delivery,
    telegram_id: int,
) -> str:
    """The coordinator blocked the bot: no more digests until an admin adds them again."""
    store = store_of(application)
    await digests.finish_delivery(store, delivery.id, "blocked", "forbidden")
    await digests.set_active(store, telegram_id, False)
    await tell_admins(
        application,
        lambda _: _(
            "Coordinator {id} has blocked the bot: marked inactive, no more digests."
        ).format(id=telegram_id),
    )
    return "blocked"


async def _failed(
    application: Application,  # type: ignore[type-arg]
    delivery: Delivery,
    telegram_id: int,
    reason: str,
) -> str:
    """Given up on this window's digest: the admins are told why."""
    await digests.finish_delivery(store_of(application), delivery.id, "failed", reason)
    await tell_admins(
        application,
        lambda _: _("The digest for coordinator {id} failed: {error}").format(
            id=telegram_id, error=reason
        ),
    )
    return "failed"


def schedule_retry(
    application: Application,  # type: ignore[type-arg]
    telegram_id: int,
    window_start: datetime,
    window_end: datetime,
    seconds: float,
) -> None:
    if application.job_queue is None:
        return
    application.job_queue.run_once(
        _run_retry,
        when=max(seconds, 1.0),
        data=(telegram_id, stamp(window_start), stamp(window_end)),
        name=f"{JOB_PREFIX}retry:{telegram_id}",
    )


async def _run_retry(context: Context) -> None:
    assert context.job is not None
    telegram_id, start, end = context.job.data  # type: ignore[misc]
    await deliver(context.application, telegram_id, parse_stamp(start), parse_stamp(end))


async def _run_scheduled(context: Context) -> None:
    assert context.job is not None
    telegram_id: int = context.job.data  # type: ignore[assignment]
    application = context.application
    settings: Settings = application.bot_data.settings
    coordinator = await digests.get_coordinator(store_of(application), telegram_id)
    schedule = _schedule(coordinator)
    if schedule is None:
        return
    due = schedule.last_due(datetime.now(UTC), settings.zone)
    await deliver(application, telegram_id, *schedule.window(due))


def _schedule(coordinator: Coordinator | None) -> Schedule | None:
    if coordinator is None or not coordinator.active:
        return None
    try:
        return parse_schedule(coordinator.schedule)
    except ScheduleError:
        return None


def plan_job(application: Application, coordinator: Coordinator) -> None:  # type: ignore[type-arg]
    """(Re)place the coordinator's repeating job to match their schedule."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    name = f"{JOB_PREFIX}{coordinator.telegram_id}"
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    schedule = _schedule(coordinator)
    if schedule is None:
        return
    settings: Settings = application.bot_data.settings
    at = clock(schedule.at.hour, schedule.at.minute, tzinfo=settings.zone)
    # python-telegram-bot counts days from Sunday (0) to Saturday (6).
    days = tuple(range(7)) if schedule.weekday is None else ((schedule.weekday + 1) % 7,)
    job_queue.run_daily(_run_scheduled, at, days=days, data=coordinator.telegram_id, name=name)


def plan_job_removal(application: Application, telegram_id: int) -> None:  # type: ignore[type-arg]
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{telegram_id}"):
            job.schedule_removal()


def missed_window(
    coordinator: Coordinator, now: datetime, settings: Settings
) -> tuple[datetime, datetime] | None:
    """The latest window due by ``now``, if the coordinator existed when it fell due."""
    schedule = _schedule(coordinator)
    if schedule is None:
        return None
    due = schedule.last_due(now, settings.zone)
    if parse_stamp(coordinator.created_at) > due:
        return None
    return schedule.window(due)


async def sync_config(application: Application) -> None:  # type: ignore[type-arg]
    """Config coordinators into the database; ones removed from the config go."""
    settings: Settings = application.bot_data.settings
    survey: Survey = application.bot_data.survey
    store = store_of(application)
    for entry in settings.coordinators:
        try:  # a misspelt choice would silently give empty digests
            parse_scope(scope_text(entry.scope), survey)
        except ScopeError as error:
            log.error(
                "coordinators: telegram_id %d: %s; not a coordinator", entry.telegram_id, error
            )
            continue
        await digests.upsert_coordinator(
            store,
            entry.telegram_id,
            scope_to_json(entry.scope),
            entry.schedule,
            entry.language,
            "config",
        )
    await digests.remove_config_coordinators_except(
        store, [entry.telegram_id for entry in settings.coordinators]
    )


async def restore(application: Application, now: datetime) -> list[str]:  # type: ignore[type-arg]
    """At start-up: rebuild jobs, resume unfinished digests, send each missed one once."""
    settings: Settings = application.bot_data.settings
    store = store_of(application)
    await sync_config(application)
    outcomes = []
    for delivery in await digests.unfinished_deliveries(store):
        outcomes.append(
            await deliver(
                application,
                delivery.telegram_id,
                parse_stamp(delivery.window_start),
                parse_stamp(delivery.window_end),
            )
        )
    for coordinator in await digests.list_coordinators(store):
        plan_job(application, coordinator)
        window = missed_window(coordinator, now, settings)
        if window is not None:
            outcomes.append(await deliver(application, coordinator.telegram_id, *window))
    return outcomes


async def run_restore(context: Context) -> None:
    await restore(context.application, datetime.now(UTC))
