"""One worker among several: updates once, each person in order, one leader.

The rules and their tables are described in :mod:`storage.webhook`. Here is
how a worker follows them for one update it received over HTTP:

1. put it in the inbox (a redelivery of a handled update stops here);
2. wait for this person's lease (other workers may be handling the person);
3. holding it, handle every waiting update of the person, oldest id first,
   whoever received it, marking each done as soon as its handlers ran;
4. answer Telegram 200 once this update is done, by this worker or another.

So an update is acknowledged only after its answer was stored and shown; a
worker killed in step 3 leaves its updates waiting, and the next worker to
hold the person (after the lease expires) handles them in order.

When the database cannot be reached (a restart, say):

* in step 1, the update is not in the inbox: the person is told at once that
  it "could not be saved, try again" (the error handler's message) and Telegram
  gets its 200, so the press is not delivered again behind the person's back;
* after step 1, the update is in the inbox: the worker holds on to it, asking
  again every second, and goes on where it stopped once the database answers
  (an update whose handlers already ran is only marked done, never run twice
  by this worker); after ``wait_seconds`` it gives up with a 503 and Telegram
  delivers it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.updates import person_of
from storage import webhook
from storage.database import database_errors
from storage.store import Store

log = logging.getLogger(__name__)
# A handled update id is kept this long: Telegram stops redelivering after a day.
KEEP_DONE_SECONDS = 2 * 86400
OnLead = Callable[[], Awaitable[None]]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Cluster:
    """This worker's place among the workers; ``leader`` says whether it runs the jobs."""

    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        person_lease: float = 10.0,
        leader_lease: float = 15.0,
        wait_seconds: float = 50.0,
        holder: str | None = None,
    ) -> None:
        self.application = application
        self.holder = holder or holder_name()
        self.person_lease = person_lease
        self.leader_lease = leader_lease
        self.wait_seconds = wait_seconds
        self.leader = False
        self.on_lead: OnLead | None = None
        self._local: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._leading: asyncio.Task[None] | None = None

    @property
    def store(self) -> Store:
        return self.application.bot_data.services.store

    # -- updates ---------------------------------------------------------------

    async def handle(self, data: dict[str, Any], body: str) -> bool:
        """Steps 1-4 for one posted update; False when it could not be done in time."""
        update_id = int(data["update_id"])
        update = self._parse(data)
        person = person_of(update)
        try:
            await webhook.receive(self.store, update_id, person, body)
        except database_errors() as error:
            # Not in the inbox, so not handled: the person is told to try again
            # (bot/guards.py on_error), and Telegram must not deliver it later.
            log.warning("update %d not taken in: the database failed: %s", update_id, error)
            if update is not None:
                await self.application.process_error(update, error)
            return True
        deadline = time.monotonic() + self.wait_seconds
        key = person if person is not None else -update_id
        lock = self._local.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        delay = 0.002
        try:
            # One coroutine per person in this worker asks the database at a time.
            async with lock:
                said = False
                while True:
                    pause = delay
                    try:
                        if await webhook.is_done(self.store, update_id):
                            return True
                        if await self._drain(person, update_id, deadline):
                            continue
                    except database_errors() as error:
                        # In the inbox: held until the database answers again.
                        if not said:
                            log.warning("update %d waits for the database: %s", update_id, error)
                        said, pause = True, 1.0
                    if time.monotonic() > deadline:
                        return False
                    await asyncio.sleep(pause)
                    delay = min(delay * 2, 0.1)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key], self._local[key]

    async def _drain(self, person: int | None, update_id: int, deadline: float) -> bool:
        """Hold the person and handle their waiting updates; False if another holds them."""
        name = webhook.person_lease(person) if person is not None else f"u:{update_id}"
        if not await webhook.take_lease(self.store, name, self.holder, self.person_lease):
            return False
        renewing = asyncio.create_task(self._renew(name))
        try:
            while (
                waiting := await webhook.next_waiting(self.store, person, update_id)
            ) is not None:
                await self._process(waiting, deadline)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            # Without the database the lease cannot be given back: it expires.
            with contextlib.suppress(*database_errors()):
                await webhook.release_lease(self.store, name, self.holder)
        return True

    async def _process(self, waiting: webhook.Waiting, deadline: float) -> None:
        update = self._parse(json.loads(waiting.body))
        if update is not None:
            await self._run(update)
        # Its handlers ran (and told the person if the database failed them):
        # only the mark is missing, so it is asked for again, the handlers never.
        for attempt in itertools.count():
            try:
                await webhook.mark_done(self.store, waiting.update_id)
                return
            except database_errors() as error:
                if time.monotonic() > deadline:
                    raise
                if attempt == 0:
                    log.warning("update %d handled, not marked done: %s", waiting.update_id, error)
                await asyncio.sleep(1.0)

    async def _run(self, update: Update) -> None:
        """The update's handlers; once more when PostgreSQL refused their transaction
        as a deadlock with another worker's (bot.guards decides, the person is not
        told), after a short random pause so that the two do not cross again."""
        data = self.application.bot_data
        data.may_run_again.add(update.update_id)
        try:
            for attempt in range(2):
                if attempt:
                    data.may_run_again.discard(update.update_id)  # a second refusal is told
                    await asyncio.sleep(random.uniform(0.05, 0.25))
                try:
                    await self.application.process_update(update)
                except Exception:  # the error handler already ran; never a poison update
                    log.exception("update %d failed in its handlers", update.update_id)
                if update.update_id not in data.run_again:
                    return
                data.run_again.discard(update.update_id)
        finally:
            data.may_run_again.discard(update.update_id)
            data.run_again.discard(update.update_id)

    def _parse(self, data: dict[str, Any]) -> Update | None:
        try:
            return Update.de_json(data, self.application.bot)
        except Exception as error:  # as bot/polling.py: one bad update stops nobody
            log.warning(
                "skipped update %s that could not be parsed: %s",
                data.get("update_id"),
                type(error).__name__,
            )
            return None

    async def _renew(self, name: str) -> None:
        while True:
            await asyncio.sleep(self.person_lease / 3)
            try:
                if not await webhook.take_lease(self.store, name, self.holder, self.person_lease):
                    log.warning("lost the lease %s to another worker", name.split(":")[0])
            except database_errors() as error:
                log.warning("could not renew a person's lease: %s", error)
            except Exception:
                log.warning("could not renew a person's lease", exc_info=True)

    # -- the leader ------------------------------------------------------------

    def start(self) -> None:
        self._leading = asyncio.create_task(self._lead(), name="webhook-leader")

    async def stop(self) -> None:
        task, self._leading = self._leading, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.leader:
            self.leader = False
            with contextlib.suppress(Exception):  # the next worker takes over at once
                await webhook.release_lease(self.store, webhook.LEADER, self.holder)

    async def try_lead(self) -> bool:
        """Take or renew the leader's lease; on taking it over, run ``on_lead``."""
        try:
            held = await webhook.take_lease(
                self.store, webhook.LEADER, self.holder, self.leader_lease
            )
        except database_errors() as error:  # it expires; whoever reaches the database leads
            log.warning("could not renew the leader's lease: %s", error)
            held = False
        except Exception:
            log.warning("could not renew the leader's lease", exc_info=True)
            held = False
        if held and not self.leader:
            self.leader = True
            log.info("this worker (%s) leads: it runs the scheduled jobs", self.holder)
            if self.on_lead is not None:
                await self.on_lead()
        elif not held and self.leader:
            self.leader = False
            log.warning("this worker (%s) no longer leads", self.holder)
        return held

    async def _lead(self) -> None:
        while True:
            await self.try_lead()
            await asyncio.sleep(self.leader_lease / 3)
