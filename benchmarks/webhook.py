"""Webhook workers over loopback HTTP: answers/s and press-to-reply latency for
``serve --workers 1, 2, 4`` on SQLite (or PostgreSQL), each against ceilings measured
in the same run.

For each worker count:
  (a) raw SQLite: that many processes doing one upsert + commit at a time on one
      file, with the bot's pragmas (commits/s, all processes together);
  (b) the HTTP ceiling: the same path (uvicorn workers, starlette,
      python-telegram-bot's process_update, the Bot API over HTTP) with a trivial
      handler that answers the press and edits the message
      (benchmarks/webhook_ceiling.py);
  (c) the bot: ``scorecard-bot serve --workers N`` on a fresh database, the same
      simulated people answering ratings;
and the ratio of (c) to (b) and to the composed ceiling 1 / (1/a + 1/b).

With ``--postgres URL`` (a server; ``.ci/postgres`` starts a throw-away one) the
database is PostgreSQL instead: (a) is that many processes, one psycopg
connection each, doing one upsert + commit at a time, and (c) is ``serve`` with
``SCORECARD_STORAGE__DATABASE`` naming a database; each is a fresh, empty
database made on that server for the run (``bench_<random>``, the bot migrates
it on start) and dropped afterwards. The server's processes (its postmaster
and every child, found from a session's backend pid) count in the CPU meter,
beside the workers and this process, when the server runs on this machine.

This process plays Telegram on both sides, as lightly as it can: it POSTs each
press to the workers (Telegram's webhook delivery) and answers the workers'
Bot API calls over HTTP (the recording Telegram of tests/auxil, behind an
aiohttp server). Latency is from the POST to its 200, which a worker sends
after the answer is stored and the next question sent. Everything shares
this machine's cores: read the figures as ratios to the same run's ceiling.

    python benchmarks/webhook.py [--people 40] [--taps 20] [--workers 1 2 4] [--rounds 2]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import psutil
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load_http import percentile
from survey.model import Survey, load_survey
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_profile, rating_button
from tests.auxil.offline import TOKEN, OfflineTelegram
from tests.e2e.driver import BotProcess, bot_environment
from tests.e2e.webhook_driver import (
    SECRET,
    ServeProcess,
    free_port,
    serve_environment,
    wait_healthy,
)
from tests.postgres import TestURL

HERE = Path(__file__).resolve().parent
_update_ids = itertools.count(1)


@dataclass
class Figures:
    rate: float  # presses answered per second
    p50: float  # ms
    p99: float
    cpu_workers: float = 0.0  # CPU seconds per press: the workers, all together
    cpu_driver: float = 0.0  # and this process (Telegram's both sides)
    cpu_server: float | None = None  # and the PostgreSQL server (None: not metered)

    @property
    def cpu_total(self) -> float:
        return self.cpu_workers + self.cpu_driver + (self.cpu_server or 0.0)

    def text(self) -> str:
        server = "" if self.cpu_server is None else f", postgres {self.cpu_server * 1000:.1f}"
        return (
            f"{self.rate:7.1f}/s  p50 {self.p50:5.0f} ms  p99 {self.p99:5.0f} ms"
            f"  CPU ms/press: workers {self.cpu_workers * 1000:.1f},"
            f" driver {self.cpu_driver * 1000:.1f}{server}"
        )


def figures(
    taps: int, elapsed: float, latencies: list[float], cpu: tuple[float, float, float | None]
) -> Figures:
    ms = [s * 1000 for s in latencies]
    server = None if cpu[2] is None else cpu[2] / taps
    return Figures(
        taps / elapsed,
        percentile(ms, 0.5),
        percentile(ms, 0.99),
        cpu[0] / taps,
        cpu[1] / taps,
        server,
    )


class ServerCpu:
    """CPU seconds used by a PostgreSQL server on this machine: its postmaster and
    every process it started (backends, checkpointer, WAL writer, autovacuum...),
    including the backends that end while it is measured."""

    def __init__(self, postmaster: psutil.Process) -> None:
        self.postmaster = postmaster

    @classmethod
    def of(cls, url: str) -> ServerCpu | None:
        """The server ``url`` names, found from a session's backend; None if it is
        not a process of this machine (or not one named postgres)."""
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            row = connection.execute("SELECT pg_backend_pid()").fetchone()
            assert row is not None
            try:
                backend = psutil.Process(int(row[0]))
                postmaster = backend.parent()
                if postmaster is None or "postgres" not in (backend.name(), postmaster.name()):
                    return None
            except psutil.Error:
                return None
        return cls(postmaster)

    def _sample(self) -> tuple[dict[int, float], float]:
        times: dict[int, float] = {}
        for process in self.postmaster.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if process.name() == "postgres":
                    times[process.pid] = sum(process.cpu_times()[:2])
        own = self.postmaster.cpu_times()
        times[self.postmaster.pid] = own.user + own.system
        # A backend that ends is reaped by the postmaster: its whole life's CPU moves
        # to the postmaster's children_user / children_system.
        return times, own.children_user + own.children_system

    def start(self) -> None:
        self.before = self._sample()

    def used(self) -> float:
        (before, reaped_before), (now, reaped_now) = self.before, self._sample()
        alive = sum(seconds - before.get(pid, 0.0) for pid, seconds in now.items())
        # Those that ended: counted in full in reaped_now; take off what they had used before.
        ended = sum(seconds for pid, seconds in before.items() if pid not in now)
        return alive + (reaped_now - reaped_before) - ended


class CpuMeter:
    """CPU seconds used by a process tree (the workers), by this process, and by
    the PostgreSQL server if there is one to meter."""

    def __init__(self, pid: int, server: ServerCpu | None = None) -> None:
        self.root = psutil.Process(pid)
        self.me = psutil.Process()
        self.server = server

    def _tree(self) -> float:
        total = 0.0
        for process in [self.root, *self.root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += sum(process.cpu_times()[:2])
        return total

    def start(self) -> None:
        self.before = (self._tree(), sum(self.me.cpu_times()[:2]))
        if self.server is not None:
            self.server.start()

    def used(self) -> tuple[float, float, float | None]:
        server = None if self.server is None else self.server.used()
        return (
            self._tree() - self.before[0],
            sum(self.me.cpu_times()[:2]) - self.before[1],
            server,
        )


# -- Telegram, both sides -----------------------------------------------------------


class BotApi:
    """The Bot API the workers call, over HTTP: tests/auxil's recording Telegram."""

    def __init__(self) -> None:
        self.telegram = OfflineTelegram()
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.root}/bot"
        self.base_file_url = f"{self.root}/file/bot"
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 2**20)
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params: dict[str, Any] = await request.json()
        else:
            params = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        handler = getattr(self.telegram, f"_api_{method}", None)
        result = True if handler is None else handler(params)
        if isinstance(result, tuple):
            body = {"ok": False, "error_code": result[0], "description": result[1]}
            return web.json_response(body, status=result[0])
        return web.json_response({"ok": True, "result": result})


class HttpHarness(Harness):
    """tests/auxil's Harness, but each update is POSTed to the workers."""

    def __init__(self, api: BotApi, url: str, survey: Survey, session: aiohttp.ClientSession):
        self.telegram = api.telegram
        self.url, self.session, self.survey = url, session, survey
        self.latencies: list[float] = []
        self.timing = False

    @property
    def services(self) -> Any:
        return self  # the journeys read ``services.survey``

    async def feed(self, data: dict[str, Any]) -> Any:
        body = json.dumps({"update_id": next(_update_ids), **data})
        started = time.perf_counter()
        async with self.session.post(
            self.url,
            data=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"},
        ) as response:
            assert response.status == 200, response.status
        if self.timing:
            self.latencies.append(time.perf_counter() - started)


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
    return _commits_per_second(_commit_loop, str(path), processes, seconds)


def _commits_per_second(
    loop: Callable[..., None], target: str, processes: int, seconds: float
) -> float:
    """``loop(target, worker, seconds, out)`` in ``processes`` processes at once: the
    commits they made together, per second."""
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [
        multiprocessing.Process(target=loop, args=(target, n, seconds, out))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    total = sum(out.get() for _ in workers)
    for worker in workers:
        worker.join()
    return total / seconds


# -- (a) raw PostgreSQL (--postgres) ------------------------------------------------


def database_url(server: str, name: str) -> str:
    """``server`` (a postgresql:// URL) with its database replaced by ``name``."""
    parts = urllib.parse.urlsplit(server)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, empty database on ``server``, dropped afterwards: its URL."""
    import psycopg

    name = f"bench_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _pg_commit_loop(url: str, worker: int, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        done, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            with db.transaction():  # BEGIN, the upsert, COMMIT: as the bot's writes
                db.execute(
                    "INSERT INTO t VALUES (%s, %s, %s) ON CONFLICT (w, k)"
                    " DO UPDATE SET v = excluded.v",
                    (worker, done % 500, done % 5),
                )
            done += 1
    out.put(done)


def raw_postgres(server: str, processes: int, seconds: float = 3.0) -> float:
    import psycopg

    with fresh_database(server) as url:
        with psycopg.connect(url, autocommit=True) as setup:
            setup.execute("CREATE TABLE t (w INTEGER, k INTEGER, v INTEGER, PRIMARY KEY (w, k))")
        return _commits_per_second(_pg_commit_loop, url, processes, seconds)


# -- (b) the HTTP ceiling -----------------------------------------------------------


async def ceiling(
    workers: int,
    people: int,
    taps: int,
    folder: Path,
    survey: Survey,
    server: ServerCpu | None = None,
) -> Figures:
    api = BotApi()
    await api.start()
    port = free_port()
    env = bot_environment(api, folder / "unused.sqlite3", serve_environment(port))
    env["TELEGRAM_BOT_TOKEN"] = TOKEN
    process = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "webhook_ceiling:create", "--factory",
            "--app-dir", str(HERE), "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ],
        env=env, stdout=(folder / f"ceiling{workers}.log").open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    holder = BotProcess(api, folder / "unused.sqlite3", folder / f"ceiling{workers}.log")
    holder.process = process
    try:
        await _wait_port(port, process)
        async with aiohttp.ClientSession() as session:
            harness = HttpHarness(api, f"http://127.0.0.1:{port}/telegram", survey, session)
            crowd = [Person(20_000 + n, "en") for n in range(people)]

            async def presses(person: Person, count: int) -> None:
                for _ in range(count):
                    data = harness.screen(person).buttons()[0]["callback_data"]
                    await harness.press_data(person, data)

            async def warm_up(person: Person) -> None:  # as the bot's people: a few taps first
                await harness.text(person, "/start")
                await presses(person, 6)

            await asyncio.gather(*(warm_up(p) for p in crowd))
            harness.timing = True
            meter = CpuMeter(process.pid, server)
            meter.start()
            started = time.perf_counter()
            await asyncio.gather(*(presses(p, taps) for p in crowd))
            elapsed = time.perf_counter() - started
            cpu = meter.used()
        return figures(len(harness.latencies), elapsed, harness.latencies, cpu)
    finally:
        holder.stop()
        await api.stop()


async def _wait_port(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the ceiling app exited")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await asyncio.sleep(2.0)  # every worker up, not only the first
            return
        except OSError:
            await asyncio.sleep(0.2)
    raise TimeoutError("the ceiling app did not listen")


# -- (c) the bot --------------------------------------------------------------------


async def the_bot(
    workers: int,
    people: int,
    taps: int,
    folder: Path,
    survey: Survey,
    database: TestURL | None = None,  # PostgreSQL; else a new SQLite file in folder
    server: ServerCpu | None = None,
) -> Figures:
    api = BotApi()
    await api.start()
    port = free_port()
    serve = ServeProcess(
        api,  # type: ignore[arg-type]
        folder / f"bot{workers}.sqlite3" if database is None else database,
        folder / f"bot{workers}.log",
        extra_env={
            **serve_environment(port),
            "SCORECARD_LOG_LEVEL": "WARNING",
            "TELEGRAM_BOT_TOKEN": TOKEN,
        },
    )
    serve.workers = workers
    try:
        serve.start()
        await wait_healthy(serve, port)
        await asyncio.sleep(2.0)  # every worker up, not only the first
        async with aiohttp.ClientSession() as session:
            harness = HttpHarness(api, f"http://127.0.0.1:{port}/telegram", survey, session)
            crowd = [Person(30_000 + n, "en") for n in range(people)]
            await asyncio.gather(*(_ready(harness, p) for p in crowd))
            harness.timing = True

            async def ratings(person: Person) -> None:
                for index in range(taps):  # now, then the forecast, indicator by indicator
                    data = rating_button(harness, person, "nf"[index % 2], str(index % 5 + 1))
                    await harness.press_data(person, data)

            assert serve.process is not None
            meter = CpuMeter(serve.process.pid, server)
            meter.start()
            started = time.perf_counter()
            await asyncio.gather(*(ratings(p) for p in crowd))
            elapsed = time.perf_counter() - started
            cpu = meter.used()
        output = serve.output()
        for problem in ("database is locked", "Traceback"):
            if problem in output:
                print(f"WARNING: {problem!r} in {serve.log}")
        return figures(len(harness.latencies), elapsed, harness.latencies, cpu)
    finally:
        serve.stop()
        await api.stop()


async def _ready(harness: HttpHarness, person: Person) -> None:
    await agree(harness, person)
    await answer_profile(harness, person)


async def run(
    people: int, taps: int, worker_counts: list[int], rounds: int, postgres: str | None = None
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    print(f"{people} people at once, {taps} presses each; {os.cpu_count()} CPU cores; {folder}")
    survey = load_survey(None)
    server = None
    if postgres is not None:
        server = ServerCpu.of(postgres)
        where = "metered" if server is not None else "not metered: not a process of this machine"
        print(f"PostgreSQL at {TestURL(postgres, folder).redacted}; its CPU {where}")
    # A shared VM drifts by tens of percent from minute to minute: the
    # measurements are interleaved and each figure keeps its best round.
    best: dict[tuple[int, str], Any] = {}
    for round_number in range(rounds):
        for workers in worker_counts:
            here = folder / f"round{round_number + 1}"
            here.mkdir(exist_ok=True)
            if postgres is None:
                raw = raw_sqlite(here, workers)
                top = await ceiling(workers, people, taps, here, survey)
                bot = await the_bot(workers, people, taps, here, survey)
            else:
                raw = raw_postgres(postgres, workers)
                top = await ceiling(workers, people, taps, here, survey, server)
                with fresh_database(postgres) as url:
                    bot = await the_bot(
                        workers, people, taps, here, survey, TestURL(url, here), server
                    )
            for kind, value, rate in (("a", raw, raw), ("b", top, top.rate), ("c", bot, bot.rate)):
                old = best.get((workers, kind))
                if old is None or rate > (old if kind == "a" else old.rate):
                    best[(workers, kind)] = value
            print(
                f"round {round_number + 1}, {workers} worker(s): b {top.rate:.0f}/s, c {bot.rate:.0f}/s"
            )
    rows = []
    database = "SQLite" if postgres is None else "PostgreSQL"
    for workers in worker_counts:
        raw, top, bot = (best[(workers, kind)] for kind in "abc")
        composed = 1 / (1 / raw + 1 / top.rate)
        rows.append((workers, raw, top, bot, composed))
        print(f"\n{workers} worker(s)")
        print(f"  {f'(a) raw {database} commits':<25}{raw:7.0f}/s")
        print(f"  (b) HTTP ceiling         {top.text()}")
        print(f"  (c) the bot              {bot.text()}")
        print(
            f"  ratio (c)/(b) {bot.rate / top.rate:.2f}, (c)/composed {bot.rate / composed:.2f};"
            f" p50 {bot.p50 / top.p50:.1f}x the ceiling's"
        )
        if postgres is not None:
            # Every process of the test shares this machine's cores: at best they are
            # all busy, so cores / CPU per press bounds the presses per second.
            cores = os.cpu_count() or 1
            print(
                f"  CPU per press, all together: {bot.cpu_total * 1000:.1f} ms; at most"
                f" {cores / bot.cpu_total:.0f} presses/s on {cores} cores"
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
    parser.add_argument("--rounds", type=int, default=2, help="interleaved; best round kept")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql://...): a fresh database on it per measurement",
    )
    args = parser.parse_args()
    asyncio.run(run(args.people, args.taps, args.workers, args.rounds, args.postgres))


if __name__ == "__main__":
    main()
