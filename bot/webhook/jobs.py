"""Scheduled jobs on the leader only.

Every worker builds the same Application, so every worker's JobQueue holds
the same jobs (and a coordinator's new schedule lands in the queue of
whichever worker handled the command). :class:`LeaderJobQueue` runs a job
only in the worker that holds the leader's lease; the others skip it. On
taking the lease over, the new leader runs the start-up catch-ups (unfinished
broadcasts and digests, a missed backup) and then, every few seconds,
:func:`leader_tick`: broadcasts started in another worker are delivered here
(so the bot-wide send rate is one pacer's), and digest schedules changed in
another worker are planned here.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram.ext import Application, Job, JobQueue

from bot.admin import backups, broadcasting
from bot.context import Context
from bot.coordinator import delivery
from storage import digests, webhook

log = logging.getLogger(__name__)
TICK_SECONDS = 5.0
TICK_NAME = "webhook:leader-tick"
FORGET_EVERY_SECONDS = 3600.0


class LeaderJobQueue(JobQueue):  # type: ignore[type-arg]
    """A JobQueue whose jobs run only while this worker leads (always, outside webhook mode)."""

    @staticmethod
    async def job_callback(job_queue: JobQueue[Any], job: Job[Any]) -> None:
        cluster = job_queue.application.bot_data.cluster
        if cluster is not None and not cluster.leader:
            return
        await job.run(job_queue.application)


def leads(application: Application) -> bool:  # type: ignore[type-arg]
    """Whether this process runs jobs and broadcasts: the leader, or the only process."""
    cluster = application.bot_data.cluster
    return cluster is None or cluster.leader


async def take_over(application: Application) -> None:  # type: ignore[type-arg]
    """The catch-ups a restart runs, now on this worker; then the leader's tick."""
    queue = application.job_queue
    if queue is None:
        return
    catch_ups = [
        (broadcasting.resume_unfinished, "outreach-resume-broadcasts"),
        (delivery.run_restore, "digest:restore"),
    ]
    if application.bot_data.settings.backup.folder is not None:
        catch_ups.append((backups.catch_up_job, backups.CATCH_UP_NAME))
    for callback, name in catch_ups:
        for job in queue.get_jobs_by_name(name):  # the start-up copy, if not run yet
            job.schedule_removal()
        queue.run_once(callback, when=0.1, name=name)
    if not queue.get_jobs_by_name(TICK_NAME):
        queue.run_repeating(leader_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name=TICK_NAME)


async def leader_tick(context: Context) -> None:
    application = context.application
    await broadcasting.resume_unfinished(context)
    await replan_digests(application)
    bot_data = application.bot_data
    now = time.monotonic()
    if now - bot_data.webhook_forgot_at >= FORGET_EVERY_SECONDS:
        bot_data.webhook_forgot_at = now
        from bot.webhook.cluster import KEEP_DONE_SECONDS

        await webhook.forget_done(bot_data.services.store, KEEP_DONE_SECONDS)


async def replan_digests(application: Application) -> None:  # type: ignore[type-arg]
    """Plan the leader's digest jobs to match the schedules stored by any worker."""
    queue = application.job_queue
    if queue is None:
        return
    planned: dict[int, str] = application.bot_data.planned_digests
    coordinators = await digests.list_coordinators(application.bot_data.services.store)
    seen: set[int] = set()
    for coordinator in coordinators:
        seen.add(coordinator.telegram_id)
        key = f"{coordinator.active}|{coordinator.schedule}"
        if planned.get(coordinator.telegram_id) != key:
            planned[coordinator.telegram_id] = key
            delivery.plan_job(application, coordinator)
    for gone in set(planned) - seen:
        del planned[gone]
        delivery.plan_job_removal(application, gone)
