"""Webhook workers at process level: ``serve`` as a child process, and the test
(or benchmark) playing Telegram's webhook delivery. Shared by
tests/e2e/test_webhook_workers.py and benchmarks/webhook.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
import time

import aiohttp
import psutil

from localbotapi.client import ControlError
from tests.e2e.driver import TOKEN, BotApiUrls, BotProcess, Respondent, bot_environment

SECRET = "e2e-webhook-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess(BotProcess):
    """``scorecard-bot serve --workers N``; its worker processes are its children."""

    workers: int = 3
    port: int = 0

    def start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--workers", str(self.workers)],
            cwd=self.database.parent,
            env=bot_environment(self.server, self.database, self.extra_env),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def worker_pids(self) -> set[int]:
        assert self.process is not None
        parent = psutil.Process(self.process.pid)
        workers = set()
        for child in parent.children():
            with contextlib.suppress(psutil.Error):
                if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                    child.cmdline()
                ):
                    workers.add(child.pid)
        return workers


class Delivery:
    """Telegram's webhook delivery, played by the test: each update until it gets a 200."""

    def __init__(self, server: BotApiUrls, url: str) -> None:
        self.server, self.url = server, url
        self.acknowledged: dict[int, int] = {}  # update id -> 200s received
        self.failed_tries = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._chains: dict[int, asyncio.Task[None]] = {}

    async def run(self) -> None:
        async with aiohttp.ClientSession() as session:
            try:
                await self._poll(session)
            finally:  # stopped: no delivery outlives the session
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _poll(self, session: aiohttp.ClientSession) -> None:
        offset = 0
        while True:
            async with session.post(
                f"{self.server.base_url}{TOKEN}/getUpdates",
                json={"offset": offset, "timeout": 1},
            ) as response:
                updates = (await response.json())["result"]
            for update in updates:
                offset = update["update_id"] + 1
                person = _person(update)
                previous = self._chains.get(person)
                task = asyncio.create_task(self._deliver(session, update, previous))
                self._chains[person] = task
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(
        self,
        session: aiohttp.ClientSession,
        update: dict[str, object],
        previous: asyncio.Task[None] | None,
    ) -> None:
        # Telegram sends a chat's next update after the previous one was answered.
        if previous is not None:
            with contextlib.suppress(Exception):
                await previous
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        while True:
            try:
                async with session.post(
                    self.url,
                    data=json.dumps(update),
                    headers={**headers, "Content-Type": "application/json"},
                    timeout=aiohttp.ClientTimeout(total=60),
                ) as response:
                    if response.status == 200:
                        update_id = int(update["update_id"])  # type: ignore[call-overload]
                        self.acknowledged[update_id] = self.acknowledged.get(update_id, 0) + 1
                        return
            except (aiohttp.ClientError, TimeoutError, OSError):
                pass
            self.failed_tries += 1
            await asyncio.sleep(0.3)


def _person(update: dict[str, object]) -> int:
    for kind, payload in update.items():
        if kind != "update_id" and isinstance(payload, dict):
            sender = payload.get("from") or {}
            if isinstance(sender, dict) and "id" in sender:
                return int(sender["id"])
    return 0


def serve_environment(
    port: int, person_lease: float = 2, leader_lease: float = 3
) -> dict[str, str]:
    return {
        "SCORECARD_WEBHOOK__SECRET": SECRET,
        "SCORECARD_WEBHOOK__PORT": str(port),
        "SCORECARD_WEBHOOK__PERSON_LEASE_SECONDS": str(person_lease),
        "SCORECARD_WEBHOOK__LEADER_LEASE_SECONDS": str(leader_lease),
    }


async def wait_healthy(serve: BotProcess, port: int, timeout: float = 90) -> None:
    """Until a worker answers /healthz (the workers import and open the database first)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            assert serve.process is not None
            if serve.process.poll() is not None:
                raise RuntimeError(f"serve exited:\n{serve.output()}")
            await asyncio.sleep(0.2)
    raise TimeoutError(f"serve did not answer:\n{serve.output()}")


async def rate_through_redeliveries(
    person: Respondent, ratings: int, moved: list[int] | None = None
) -> None:
    """Give ``ratings`` ratings, tapping the newest screen again when the one tapped
    moved on under the press (an update handled again by another worker, which may
    send the question again as a new message); ``moved`` collects who that happened to."""
    for _attempt in range(5):
        try:
            await person.answer(until=lambda step: len(person.given) == ratings)
            return
        except ControlError as error:
            assert "no button" in error.message, error
            if moved is not None:
                moved.append(person.user.id)
    raise AssertionError(f"{person.user}: the screen kept changing")
