"""The PostgreSQL server restarted under load, at process level.

``serve`` runs three workers on PostgreSQL; the test plays Telegram's webhook
delivery (tests/e2e/webhook_driver.py) while respondents press, and in the
middle stops the server (a fast shutdown: every session cut) and starts it
again a few seconds later (``.ci/postgres`` gives the script,
``SCORECARD_TEST_POSTGRES_CTL``):

* a press while the server is away is answered on the button, in the person's
  language, with "could not be saved, try again", well within the time Telegram
  lets a bot answer it;
* nothing acknowledged that was not stored: every answer a person saw taken is
  in the database with its value, and anything else stored is a press the person
  was told had failed (handled again once the server was back);
* the workers go on by themselves (the same three processes, no restart): every
  person carries on where they were, and one of them finishes the survey.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import pytest

from localbotapi import ChatMessage, ControlClient, LocalBotApiServer
from locales.i18n import translator
from storage import postgres as pg
from storage import webhook
from storage.store import Store
from survey.model import Survey
from tests import postgres
from tests.e2e.driver import (
    RATING_VALUES,
    ChatWatcher,
    Respondent,
    exported_ratings,
    live_screen,
    signature,
)
from tests.e2e.webhook_driver import (
    Delivery,
    ServeProcess,
    rate_through_redeliveries,
    wait_healthy,
)

PEOPLE = 20
RATINGS = 12
OUTAGE_SECONDS = 6.0
LANGUAGES = ("en", "vi")
LATE = 4
NOT_SAVED = "Sorry, your answer could not be saved right now. Please try again in a minute."
Key = tuple[str, str]


@dataclass
class Persistent(Respondent):
    """A respondent who, told a press could not be saved, tries again on the screen
    as it is then (the same question, or the next one if the press went through)."""

    refusals: list[tuple[float, float]] = field(default_factory=list)  # pressed, told
    presses: list[tuple[float, bool]] = field(default_factory=list)  # pressed, refused
    refused: dict[Key, str] = field(default_factory=dict)  # ratings refused at least once
    acknowledged_at: list[float] = field(default_factory=list)

    async def tap(self, message: ChatMessage, data: str, final: bool = False) -> ChatMessage | None:
        before = signature(message)
        while True:
            pressed = time.time()
            sent = await self.user.press(data, message.message_id)
            screen, told = await self._outcome(before, str(sent["callback_query_id"]), final)
            self.presses.append((pressed, told))
            if not told:
                break
            self.refusals.append((pressed, time.time()))
            self._note_refused(data)
            await asyncio.sleep(0.3)
            screen = live_screen(await self.user.chat())
            if signature(screen) != before:
                break  # handled after all (again, once the server was back)
        self.taps += 1
        self.acknowledged_at.append(time.time())
        return screen

    async def _outcome(
        self, before: tuple[object, ...] | None, query: str, final: bool
    ) -> tuple[ChatMessage | None, bool]:
        """The next screen, or (None, True) when the press was answered "not saved"."""

        def changed(chat: list[ChatMessage]) -> tuple[ChatMessage | None] | None:
            screen = live_screen(chat)
            if signature(screen) == before or (screen is None and not final):
                return None
            return (screen,)

        assert self.watcher is not None
        deadline = time.monotonic() + self.timeout
        while True:
            with contextlib.suppress(TimeoutError):
                (after,) = await self.watcher.wait_for(self.user, changed, 1.0)
                return after, False
            answer = next(
                (a for a in await self.user.callback_answers() if a["callback_query_id"] == query),
                None,
            )
            not_saved = translator(self.language)(NOT_SAVED)
            if answer and answer.get("show_alert") and answer.get("text") == not_saved:
                return None, True
            assert time.monotonic() < deadline, f"{self.user}: a press went unanswered"

    def _note_refused(self, data: str) -> None:
        parts = data.split("|")
        if len(parts) == 4 and parts[2].startswith("r") and parts[2] != "rv":
            code = self.survey.items[int(parts[2][1:])][1].code
            kind = "now" if parts[3].startswith("n") else "forecast"
            self.refused[(code, kind)] = parts[3][1:]


def own_choice(n: int) -> Callable[[str], str]:
    """Person ``n``'s rating for each step: the same on every try, not everyone's."""
    return lambda step: RATING_VALUES[(sum(map(ord, step)) * (n + 1) + n) % len(RATING_VALUES)]


async def healthy(port: int) -> bool:
    async with aiohttp.ClientSession() as session:
        with contextlib.suppress(aiohttp.ClientError, OSError):
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                return response.status == 200
    return False


@pytest.mark.parametrize("webhook_database", ["postgresql"], indirect=True)
async def test_the_workers_ride_out_a_database_restart_under_load(
    serve: ServeProcess, control: ControlClient, survey: Survey, local_server: LocalBotApiServer
) -> None:
    if not postgres.CTL:
        pytest.skip("SCORECARD_TEST_POSTGRES_CTL is not set: .ci/postgres sets it")
    serve.start()
    await wait_healthy(serve, serve.port)
    workers = serve.worker_pids()
    delivery = Delivery(local_server, f"http://127.0.0.1:{serve.port}/telegram")
    delivering = asyncio.create_task(delivery.run())
    outage: dict[str, float] = {}
    try:
        async with ChatWatcher(control) as watcher:
            people = [
                Persistent(
                    await control.create_user(f"Person {n}", language_code=LANGUAGES[n % 2]),
                    survey,
                    LANGUAGES[n % 2],
                    timeout=60,
                    watcher=watcher,
                    choose=own_choice(n),
                )
                for n in range(PEOPLE)
            ]
            began, stopped = asyncio.Event(), asyncio.Event()
            # The last few open the survey and then wait: they press only once the
            # server is away (the others may be waiting on a press held meanwhile).
            late = people[-LATE:]

            async def restart_the_server() -> None:
                await began.wait()
                while sum(p.taps for p in people) < (PEOPLE - LATE) * 8:
                    await asyncio.sleep(0.05)
                outage["stopped"] = time.time()
                try:
                    await asyncio.to_thread(postgres.server_ctl, "stop")
                    stopped.set()
                    await asyncio.sleep(OUTAGE_SECONDS)
                finally:
                    await asyncio.to_thread(postgres.server_ctl, "start")
                    outage["started"] = time.time()

            async def take_part(person: Persistent) -> None:
                if person in late:
                    await stopped.wait()
                    await asyncio.sleep(0.5)
                await rate_through_redeliveries(person, RATINGS)

            async def everyone() -> None:
                await asyncio.gather(*(p.begin() for p in people))
                began.set()
                await asyncio.gather(*(take_part(p) for p in people))

            try:
                await asyncio.gather(restart_the_server(), everyone())
            finally:
                if "stopped" in outage and "started" not in outage:
                    postgres.server_ctl("start")
            # Service goes on by itself: one person finishes the whole survey.
            assert await people[0].answer() is None
    finally:
        delivering.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivering

    refusals = [r for p in people for r in p.refusals]
    resumed = min(t for p in people for t in p.acknowledged_at if t > outage["started"])
    last_refused = max((told for _pressed, told in refusals), default=0)
    print(
        f"refused presses: {len(refusals)}; slowest refusal"
        f" {max((told - pressed for pressed, told in refusals), default=0):.1f} s;"
        f" answered again {resumed - outage['started']:.1f} s after the server started,"
        f" last refusal {last_refused - outage['started']:.1f} s after;"
        f" failed deliveries retried: {delivery.failed_tries}"
    )
    # Every press the late ones made while the server was away was refused (none
    # held until it came back). Others may have pressed again behind a press held
    # for them (Telegram sends a chat's next update once the last one is answered).
    away = [
        told
        for p in late
        for pressed, told in p.presses
        if outage["stopped"] <= pressed <= outage["started"] - 1
    ]
    assert away and all(away), f"{away.count(False)} of {len(away)} presses not refused"
    # Each refusal came to a press made while the server was away (or before the
    # workers had reconnected), in time for Telegram to show it.
    # (each worker reconnects on its own, within RECONNECT_SECONDS).
    back = outage["started"] + pg.RECONNECT_SECONDS + 1
    assert all(outage["stopped"] - 1 <= pressed <= back for pressed, _told in refusals)
    ttl = (await control.request("GET", "/state"))["callback_query_ttl"]  # as Telegram: 15 s
    assert all(told - pressed < ttl for pressed, told in refusals)
    assert resumed - outage["started"] < 20, "the workers answered again by themselves"

    exported = serve.export()
    ratings = exported_ratings(exported)  # fails on any answer stored twice
    assert len(ratings) == PEOPLE
    matched: set[str] = set()
    for person in people:
        mine = [
            respondent
            for respondent, answers in ratings.items()
            if person.given.items() <= answers.items() and respondent not in matched
        ]
        assert mine, f"{person.user}: an acknowledged answer is not stored"
        matched.add(mine[0])
        extra = {k: v for k, v in ratings[mine[0]].items() if k not in person.given}
        assert extra.items() <= person.refused.items(), extra
    assert len({row["respondent_id"] for row in exported if row["submitted"] == "yes"}) == 1
    # The same three workers, nothing left waiting, and they answer.
    assert serve.worker_pids() == workers
    store = await Store.open(serve.database)
    try:
        assert await webhook.backlog(store) == 0
    finally:
        await store.close()
    assert await healthy(serve.port)
    assert "Traceback" not in serve.output(), serve.output()[-4000:]
