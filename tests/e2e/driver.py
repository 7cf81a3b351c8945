"""Run the real bot process against the local Bot API server and walk respondents through it.

Shared by the process-level tests and ``benchmarks/load_http.py``. Everything the
respondent does goes through the control API exactly as a Telegram client would:
a button press is a callback query on the message that carries the button, and
"the next question arrived" means the chat, as the user sees it, changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from localbotapi import ChatMessage, ControlClient, SimulatedUser
from survey.model import Survey
from survey.steps import steps_of
from tests.auxil.journeys import adult_choices
from tests.postgres import TestURL

# A fixed fake token: the local server checks its shape only, and so does the bot.
TOKEN = "7000000001:local-e2e-token-not-a-real-one"
RATING_VALUES = ("1", "2", "3", "4", "5", "d")
ROOT = Path(__file__).resolve().parents[2]


class BotApiUrls(Protocol):
    """Where the bot finds the Bot API: a LocalBotApiServer, in a thread or a process."""

    @property
    def base_url(self) -> str: ...

    @property
    def base_file_url(self) -> str: ...


def bot_environment(
    server: BotApiUrls, database: Path | TestURL, extra: dict[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCORECARD_")}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SCORECARD_TELEGRAM__BASE_URL": server.base_url,
            "SCORECARD_TELEGRAM__BASE_FILE_URL": server.base_file_url,
            "SCORECARD_STORAGE__DATABASE": str(database),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        }
    )
    env.update(extra or {})
    return env


@dataclass
class BotProcess:
    """``scorecard-bot run`` as a child process; its output goes to ``log``."""

    server: BotApiUrls
    database: Path | TestURL  # a SQLite file, or a PostgreSQL schema (tests/postgres.py)
    log: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts} ---\n".encode())
        # cwd: a folder without config.toml, so only the environment configures the bot.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=self.database.parent,
            env=bot_environment(self.server, self.database, self.extra_env),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    async def ready(self, control: ControlClient, timeout: float = 30.0) -> None:
        """Wait until this process polls for updates (it has started up)."""
        since = max((c["seq"] for c in await control.calls()), default=0)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await control.calls("getUpdates", since=since):
                return
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}:\n{self.output()}")
            await asyncio.sleep(0.05)
        raise TimeoutError(f"bot did not start polling:\n{self.output()}")

    async def start_ready(self, control: ControlClient) -> None:
        self.start()
        await self.ready(control)

    def kill(self) -> None:
        """kill -9: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int | None:
        """A polite stop (SIGTERM, as systemd does); kill -9 after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def export(self, timeout: float = 60.0) -> list[dict[str, str]]:
        """``scorecard-bot export --format csv --out -`` as rows."""
        result = subprocess.run(
            [sys.executable, "-m", "bot", "export", "--format", "csv", "--out", "-"],
            cwd=self.database.parent,
            env=bot_environment(self.server, self.database, self.extra_env),
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        return list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"))))


# -- what the user sees -------------------------------------------------------------


def live_screen(chat: list[ChatMessage]) -> ChatMessage | None:
    """The newest bot message that still carries inline buttons: the current question.
    The thanks screen's "tell me about actions" buttons (``1|U|``) ask no question."""
    return next(
        (
            m
            for m in reversed(chat)
            if m.from_bot
            and m.buttons
            and not all(data.startswith("1|U|") for data in m.callback_data)
        ),
        None,
    )


def signature(message: ChatMessage | None) -> tuple[object, ...] | None:
    if message is None:
        return None
    return (
        message.message_id,
        message.text,
        tuple(message.button_texts),
        tuple(message.callback_data),
    )


def step_of(message: ChatMessage | None) -> str | None:
    """Which question a screen asks: ``p0``, ``q1``, ``rv``, and for an indicator's
    screen (both ratings at once) the rating still open, ``r12n`` (now) or ``r12f``
    (the forecast), so that each tap moves the respondent one step on."""
    for data in message.callback_data if message else []:
        parts = data.split("|")
        if len(parts) == 4:
            key = parts[2]
            if key.startswith("r") and key != "rv":
                now_given = any(
                    text.startswith("✓")
                    for row in message.buttons  # type: ignore[union-attr]
                    for text, data in ((b["text"], b.get("callback_data", "")) for b in row)
                    if data.split("|")[-1][:1] == "n"
                )
                return key + ("f" if now_given else "n")
            return key
    return None


def walk(survey: Survey) -> list[str]:
    """Every step in order as ``step_of`` names them: each indicator twice."""
    keys: list[str] = []
    for step in steps_of(survey):
        keys += [step.key + "n", step.key + "f"] if step.kind == "rating" else [step.key]
    return keys


def rating_data(screen: ChatMessage, step: str, value: str) -> str:
    """The callback data of rating ``value`` (1-5, d) for ``step`` (``r12n``/``r12f``)."""
    version, tag, _key, _value = screen.callback_data[0].split("|")
    return f"{version}|{tag}|{step[:-1]}|{step[-1]}{value}"


def default_value(step: str) -> str:
    """A deterministic rating per step, so an answer given twice is the same answer."""
    return RATING_VALUES[sum(map(ord, step)) % len(RATING_VALUES)]


T = TypeVar("T")


class ChatWatcher:
    """One long poll for many simulated users: re-reads only the chats the bot wrote to.

    ``SimulatedUser.wait_for`` re-reads its chat on every change anywhere, which costs
    N requests per change with N people waiting; this keeps a crowd's overhead flat.
    """

    def __init__(self, control: ControlClient) -> None:
        self.control = control
        self.waiting: dict[
            int, list[tuple[Callable[[list[ChatMessage]], Any], asyncio.Future[Any]]]
        ]
        self.waiting = {}
        self.seq = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ChatWatcher:
        self.seq = max((c["seq"] for c in await self.control.calls()), default=0)
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        version = -1
        previous: set[int] = set()
        while True:
            version = await self.control.wait_for_change(version, 25.0)
            calls = await self.control.calls(since=self.seq)
            self.seq = calls[-1]["seq"] if calls else self.seq
            touched = {
                int(c["params"]["chat_id"])
                for c in calls
                if str(c["params"].get("chat_id", "")).lstrip("-").isdigit()
            }
            # A call is logged before it runs: look at its chat once more on the next wake.
            chats = (touched | previous) & self.waiting.keys()
            previous = touched
            await asyncio.gather(*(self._check(chat) for chat in chats))

    async def _check(self, user_id: int) -> None:
        state = await self.control.request("GET", f"/users/{user_id}/chat")
        chat = [ChatMessage.from_view(m) for m in state["messages"]]
        for predicate, future in list(self.waiting.get(user_id, [])):
            if not future.done():
                result = predicate(chat)
                if result:
                    future.set_result(result)

    async def wait_for(
        self, user: SimulatedUser, predicate: Callable[[list[ChatMessage]], T], timeout: float
    ) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self.waiting.setdefault(user.id, []).append(entry)
        try:
            await self._check(user.id)  # it may be true already
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            shown = [(m.sender, m.text, m.button_texts) for m in await user.chat()]
            message = f"{user}: condition not met within {timeout}s; chat is {shown}"
            raise TimeoutError(message) from None
        finally:
            self.waiting[user.id].remove(entry)
            if not self.waiting[user.id]:
                del self.waiting[user.id]


@dataclass
class Respondent:
    """One simulated person answering the survey through the local server."""

    user: SimulatedUser
    survey: Survey
    language: str = "en"
    timeout: float = 20.0
    choose: Callable[[str], str] = default_value
    given: dict[tuple[str, str], str] = field(default_factory=dict)  # (code, kind) -> value
    latencies: list[float] = field(default_factory=list)
    pressed_at: list[float] = field(default_factory=list)  # wall clock, as the server logs
    taps: int = 0
    commented: set[str] = field(default_factory=set)  # sections with a typed comment
    watcher: ChatWatcher | None = None
    think: float = 0.0  # mean seconds a person reads before tapping (benchmarks)

    async def wait_for(self, predicate: Callable[[list[ChatMessage]], T]) -> T:
        if self.watcher is not None:
            return await self.watcher.wait_for(self.user, predicate, self.timeout)
        return await self.user.wait_for(predicate, self.timeout)

    async def screen(self) -> ChatMessage | None:
        return live_screen(await self.user.chat())

    async def _await_change(
        self, before: tuple[object, ...] | None, final: bool = False
    ) -> ChatMessage | None:
        """Wait for a different live screen (``final``: or none at all, the survey is over).

        A screen without buttons is otherwise a moment between two messages: the
        old question's keyboard removed, the next question about to be sent.
        """

        def changed(chat: list[ChatMessage]) -> tuple[ChatMessage | None] | None:
            screen = live_screen(chat)
            if signature(screen) == before or (screen is None and not final):
                return None
            return (screen,)

        (after,) = await self.wait_for(changed)
        return after

    async def tap(self, message: ChatMessage, data: str, final: bool = False) -> ChatMessage | None:
        """Press a button and wait for the next screen; returns it (None: no buttons)."""
        if self.think:
            await asyncio.sleep(random.uniform(0, 2 * self.think))
        started = time.perf_counter()
        self.pressed_at.append(time.time())
        await self.user.press(data, message.message_id)
        after = await self._await_change(signature(message), final)
        self.latencies.append(time.perf_counter() - started)
        self.taps += 1
        return after

    async def type(self, text: str) -> ChatMessage | None:
        before = signature(await self.screen())
        started = time.perf_counter()
        await self.user.send_text(text)
        after = await self._await_change(before)
        self.latencies.append(time.perf_counter() - started)
        return after

    async def begin(self) -> ChatMessage:
        """/start, the language, consent: returns the first profile question."""
        await self.user.send_command("/start")
        picker = await self.wait_for(live_screen)
        consent = await self.tap(picker, f"1|L|{self.language}")
        assert consent is not None and "1|C|y" in consent.callback_data, consent
        first = await self.tap(consent, "1|C|y")
        assert first is not None and step_of(first) == "p0", first
        return first

    async def answer(
        self, until: Callable[[str], bool] | None = None, comment: str | None = None
    ) -> ChatMessage | None:
        """Answer from the current screen until ``until(step)`` holds or the survey ends.

        Profile: the first choice (and Continue where several are allowed); ratings:
        ``choose(step)``, with ``comment`` typed on each goal's first screen; goals: the
        first two, then Continue; free text: Skip; review: Submit.
        """
        screen = await self.screen()
        while screen is not None:
            step = step_of(screen)
            assert step is not None, screen
            if until is not None and until(step):
                return screen
            screen = await self.answer_one(screen, step, comment)
        return None

    async def answer_one(
        self, screen: ChatMessage, step: str, comment: str | None = None
    ) -> ChatMessage | None:
        data = screen.callback_data
        if step.startswith("p"):
            prefix = data[0].rsplit("|", 1)[0]
            # The first choice that does not make the respondent a child (who
            # would wait for a guardian's consent).
            choice = adult_choices(self.survey)[int(step[1:])]
            if not any(d.endswith("|k") for d in data):
                return await self.tap(screen, f"{prefix}|{choice}")
            if not any(text.startswith("✓") for text in screen.button_texts):
                return await self.tap(screen, f"{prefix}|a{choice}")  # "all that apply": tick one
            return await self.tap(screen, f"{prefix}|k")
        if step.startswith("r") and step != "rv":
            section = self.survey.items[int(step[1:-1])][0].id
            if comment is not None and section not in self.commented:
                self.commented.add(section)  # typed on the goal's first screen
                return await self.type(comment)
            value = self.choose(step)
            after = await self.tap(screen, rating_data(screen, step, value))
            item = self.survey.items[int(step[1:-1])][1]
            self.given[(item.code, "now" if step.endswith("n") else "forecast")] = value
            return after
        if step == "rv":
            return await self.tap(
                screen, next(d for d in data if d.endswith("|rv|sub")), final=True
            )
        if step.startswith("q") and any(d.endswith("|k") for d in data):
            ticked = sum("✓" in text for text in screen.button_texts)
            if ticked < 2:
                goal = next(d for d in data if d.split("|")[3].startswith("a"))
                return await self.tap(screen, goal)
            return await self.tap(screen, next(d for d in data if d.endswith("|k")))
        return await self.tap(screen, next(d for d in data if d.endswith("|s")))


def exported_ratings(rows: list[dict[str, str]]) -> dict[str, dict[tuple[str, str], str]]:
    """respondent_id -> (indicator_code, kind) -> value ('d' for don't know); fails on repeats."""
    result: dict[str, dict[tuple[str, str], str]] = {}
    for row in rows:
        answers = result.setdefault(row["respondent_id"], {})
        key = (row["indicator_code"], row["kind"])
        assert key not in answers, f"{key} exported twice for {row['respondent_id']}"
        answers[key] = row["value"] or "d"
    return result


def exported_orders(rows: list[dict[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """respondent_id -> (indicator_code, kind) in the order they were stored (answered_at)."""
    stamped: dict[str, list[tuple[str, tuple[str, str]]]] = {}
    for row in rows:
        key = (row["indicator_code"], row["kind"])
        stamped.setdefault(row["respondent_id"], []).append((row["answered_at"], key))
    return {person: [key for _at, key in sorted(keys)] for person, keys in stamped.items()}
