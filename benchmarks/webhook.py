"""Webhook workers over loopback HTTP: answers/s and press-to-reply latency for
``serve --workers 1, 2, 4`` on SQLite, each against ceilings measured in the same run.

For each worker count:
  (a) raw SQLite: that many processes doing one upsert + commit at a time on one
      file, with the bot's pragmas (commits/s, all processes together);
  (b) the HTTP ceiling: the same path (local Bot API server, webhook delivery,
      uvicorn workers, python-telegram-bot) with a trivial handler that answers
      the press and edits the message (benchmarks/webhook_ceiling.py);
  (c) the bot: ``scorecard-bot serve --workers N`` on a fresh database, the same
      simulated people answering the survey;
and the ratio of (c) to (b) and to the composed ceiling 1 / (1/a + 1/b).

The local Bot API server runs in its own process; this process plays the
people and Telegram's webhook delivery (tests/e2e/webhook_driver.py). All
of it shares this machine's cores with the workers: read the figures as
ratios to the ceiling of the same run.

    python benchmarks/webhook.py [--people 40] [--taps 20] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load_http import ServerProcess, percentile
from localbotapi import ChatMessage, ControlClient, SimulatedUser
from survey.model import load_survey
from tests.e2e.driver import (
    BotProcess,
    ChatWatcher,
    Respondent,
    bot_environment,
    live_screen,
    signature,
)
from tests.e2e.webhook_driver import (
    Delivery,
    ServeProcess,
    free_port,
    serve_environment,
    wait_healthy,
)

HERE = Path(__file__).resolve().parent


@dataclass
class Figures:
    rate: float  # presses answered per second
    p50: float  # ms
    p99: float

    def text(self) -> str:
        return f"{self.rate:7.1f}/s  p50 {self.p50:5.0f} ms  p99 {self.p99:5.0f} ms"


def figures(taps: int, elapsed: float, latencies: list[float]) -> Figures:
    ms = [s * 1000 for s in latencies]
    return Figures(taps / elapsed, percentile(ms, 0.5), percentile(ms, 0.99))


# -- (a) raw SQLite ---------------------------------------------------------------


def _commit_loop(path: str, worker: int, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    db = sqlite3.connect(path, isolation_level=None, timeout=10)
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 10000"):
        db.execute(f"PRAGMA {pragma}")
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO t VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET v = excluded.v",
            (worker, done % 500, done % 5),
        )
        db.execute("COMMIT")
        done += 1
    out.put(done)


def raw_sqlite(folder: Path, processes: int, seconds: float = 3.0) -> float:
    path = folder / f"raw{processes}.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode = WAL")
    setup.execute("CREATE TABLE t (w INTEGER, k INTEGER, v INTEGER, PRIMARY KEY (w, k))")
    setup.close()
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [
        multiprocessing.Process(target=_commit_loop, args=(str(path), n, seconds, out))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    total = sum(out.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / seconds


# -- (b) the HTTP ceiling -----------------------------------------------------------


async def press_loop(
    user: SimulatedUser, watcher: ChatWatcher, taps: int, latencies: list[float]
) -> None:
    await user.send_command("/start")
    screen: ChatMessage = await watcher.wait_for(user, live_screen, 60)
    for _ in range(taps):
        before = signature(screen)
        started = time.perf_counter()
        await user.press(screen.callback_data[0], screen.message_id)

        def changed(chat: list[ChatMessage], before: object = before) -> ChatMessage | None:
            now = live_screen(chat)
            return now if now is not None and signature(now) != before else None

        screen = await watcher.wait_for(user, changed, 60)
        latencies.append(time.perf_counter() - started)


async def ceiling(workers: int, people: int, taps: int, folder: Path) -> Figures:
    server = ServerProcess()
    port = free_port()
    env = bot_environment(server, folder / "unused.sqlite3", serve_environment(port))
    log = (folder / f"ceiling{workers}.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "webhook_ceiling:create", "--factory",
            "--app-dir", str(HERE), "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    holder = BotProcess(server, folder / "unused.sqlite3", folder / f"ceiling{workers}.log")
    holder.process = process
    try:
        await _wait_port(port, process)
        return await _drive_ceiling(server, port, people, taps)
    finally:
        holder.stop()
        server.stop()


async def _wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the ceiling app exited")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await asyncio.sleep(1.0)  # every worker up, not only the first
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise TimeoutError("the ceiling app did not listen")


async def _drive_ceiling(server: ServerProcess, port: int, people: int, taps: int) -> Figures:
    delivery = Delivery(server, f"http://127.0.0.1:{port}/telegram")
    delivering = asyncio.create_task(delivery.run())
    try:
        async with ControlClient(server.control_url) as control, ChatWatcher(control) as watcher:
            users = [await control.create_user(f"C{n}") for n in range(people)]
            latencies: list[float] = []
            started = time.perf_counter()
            await asyncio.gather(*(press_loop(u, watcher, taps, latencies) for u in users))
            elapsed = time.perf_counter() - started
        return figures(len(latencies), elapsed, latencies)
    finally:
        delivering.cancel()


# -- (c) the bot --------------------------------------------------------------------


async def the_bot(workers: int, people: int, taps: int, folder: Path) -> Figures:
    server = ServerProcess()
    port = free_port()
    serve = ServeProcess(
        server,
        folder / f"bot{workers}.sqlite3",
        folder / f"bot{workers}.log",
        extra_env={**serve_environment(port), "SCORECARD_LOG_LEVEL": "WARNING"},
    )
    serve.workers = workers
    survey = load_survey(None)
    try:
        serve.start()
        await wait_healthy(serve, port)
        await asyncio.sleep(1.0)
        delivery = Delivery(server, f"http://127.0.0.1:{port}/telegram")
        delivering = asyncio.create_task(delivery.run())
        try:
            async with (
                ControlClient(server.control_url) as control,
                ChatWatcher(control) as watcher,
            ):
                crowd = [
                    Respondent(
                        await control.create_user(f"P{n}", language_code="en"),
                        survey,
                        "en",
                        timeout=120,
                        watcher=watcher,
                    )
                    for n in range(people)
                ]

                async def take_part(person: Respondent) -> None:
                    await person.begin()
                    await person.answer(until=lambda _step: person.taps >= taps + 2)

                started = time.perf_counter()
                await asyncio.gather(*(take_part(p) for p in crowd))
                elapsed = time.perf_counter() - started
        finally:
            delivering.cancel()
        output = serve.output()
        for problem in ("database is locked", "Traceback"):
            if problem in output:
                print(f"WARNING: {problem!r} in {serve.log}")
        latencies = [s for p in crowd for s in p.latencies]
        return figures(len(latencies), elapsed, latencies)
    finally:
        serve.stop()
        server.stop()


async def run(people: int, taps: int, worker_counts: list[int]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    print(f"{people} people at once, {taps}+ presses each; {os.cpu_count()} CPU cores; {folder}")
    rows = []
    for workers in worker_counts:
        raw = raw_sqlite(folder, workers)
        top = await ceiling(workers, people, taps, folder)
        bot = await the_bot(workers, people, taps, folder)
        composed = 1 / (1 / raw + 1 / top.rate)
        rows.append((workers, raw, top, bot, composed))
        print(f"\n{workers} worker(s)")
        print(f"  (a) raw SQLite commits   {raw:7.0f}/s")
        print(f"  (b) HTTP ceiling         {top.text()}")
        print(f"  (c) the bot              {bot.text()}")
        print(
            f"  ratio (c)/(b) {bot.rate / top.rate:.2f}, (c)/composed {bot.rate / composed:.2f};"
            f" p50 {bot.p50 / top.p50:.1f}x the ceiling's"
        )
    base = rows[0][3].rate
    print(
        "\nscaling of the bot: " + ", ".join(f"{w}: {b.rate / base:.2f}x" for w, _, _, b, _ in rows)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40, help="at once (default 40)")
    parser.add_argument("--taps", type=int, default=20, help="presses each (default 20)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    asyncio.run(run(args.people, args.taps, args.workers))


if __name__ == "__main__":
    main()
