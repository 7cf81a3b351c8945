"""Broadcast delivery: sustained rate, duplicates, and a kill -9 midway.

    python benchmarks/broadcast.py                      # 10,000 recipients (~6 min x 2)
    python benchmarks/broadcast.py --size 600 --crash-size 600   # a quick run
    python benchmarks/broadcast.py --server localbotapi  # through the local Bot API server

Runs the bot's own delivery code (``bot.admin.delivery``) on a real SQLite
file through python-telegram-bot with the offline request layer
(``tests/auxil/offline.py``) plus simulated network latency. Every message
that "reaches Telegram" is appended to a log with ``os.write`` as it arrives,
so the log survives a SIGKILL of the sender and counts what was delivered.

Part 1 measures the sustained rate (against Telegram's 30/s ceiling), the
busiest one-second window and duplicates. Part 2 runs the broadcast in a child
process, kills it with SIGKILL midway, restarts it (as the bot does at
start-up: rows caught mid-send become "uncertain" and are not resent) and
counts messages lost and sent twice. ``--arrival`` sets when within the
latency a request reaches the server (0 = at once, 0.5 = halfway).

``--server localbotapi`` sends over real HTTP to ``python -m localbotapi`` in
its own process (so a SIGKILL of the sender leaves the server running, like
Telegram) and counts deliveries from the server's call log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import HTTPXRequest, RequestData

from bot.admin.delivery import deliver
from storage import broadcasts
from storage.store import Store, utc_now
from tests.auxil.offline import TOKEN, OfflineTelegram

CEILING = 30.0
FIRST_CHAT = 10_000_000


class LatencyTelegram(OfflineTelegram):
    """OfflineTelegram with network latency; logs each message the moment it arrives."""

    def __init__(self, log: Path, latency: float, arrival: float) -> None:
        super().__init__()
        self.latency, self.arrival = latency, arrival
        self.log = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if not url.endswith("/sendMessage"):
            return await super().do_request(url, method, request_data)
        sent_at = time.monotonic()
        await asyncio.sleep(self.latency * self.arrival)
        assert request_data is not None
        chat_id = int(request_data.parameters["chat_id"])  # type: ignore[arg-type]
        os.write(self.log, f"{chat_id} {time.monotonic():.6f} {sent_at:.6f}\n".encode())
        # Answer without keeping 10,000 chats in memory.
        self.calls.clear()
        body = (
            b'{"ok":true,"result":{"message_id":1,"date":0,'
            b'"chat":{"id":%d,"type":"private"},"text":"x"}}' % chat_id
        )
        await asyncio.sleep(self.latency * (1 - self.arrival))
        return 200, body


class Target:
    """Where messages go and how deliveries are counted: a log file or a server."""

    def __init__(self, log: Path | None = None, root_url: str | None = None) -> None:
        self.log, self.root_url = log, root_url

    def child_arguments(self) -> list[str]:
        return ["--log", str(self.log)] if self.log else ["--root-url", str(self.root_url)]

    def bot(self, latency: float, arrival: float) -> Bot:
        if self.log is not None:
            return Bot(TOKEN, request=LatencyTelegram(self.log, latency, arrival))
        # Enough connections for the sends in flight at once.
        request = HTTPXRequest(connection_pool_size=64, pool_timeout=30)
        return Bot(TOKEN, base_url=f"{self.root_url}/bot", request=request)

    def deliveries(self) -> list[tuple[int, float]]:
        """(chat id, arrival time) of every message that reached Telegram."""
        if self.log is not None:
            if not self.log.exists():
                return []
            rows = (line.split() for line in self.log.read_text().splitlines())
            return [(int(row[0]), float(row[1])) for row in rows]
        url = f"{self.root_url}/_control/calls?method=sendMessage"
        with urllib.request.urlopen(url, timeout=30) as answer:
            calls = json.load(answer)
        return [(int(c["params"]["chat_id"]), float(c["time"])) for c in calls if c["ok"]]

    def send_times(self) -> list[float]:
        """When the bot made each call (offline only): what the pacer controls."""
        if self.log is None:
            return []
        return [float(line.split()[2]) for line in self.log.read_text().splitlines()]

    async def add_people(self, chat_ids: range) -> None:
        if self.root_url is None:
            return
        async with aiohttp.ClientSession() as session:
            semaphore = asyncio.Semaphore(32)

            async def add(chat_id: int) -> None:
                async with semaphore:
                    body = {"id": chat_id, "first_name": "Respondent"}
                    async with session.post(f"{self.root_url}/_control/users", json=body) as r:
                        r.raise_for_status()

            await asyncio.gather(*(add(chat_id) for chat_id in chat_ids))
            async with session.delete(f"{self.root_url}/_control/calls") as answer:
                answer.raise_for_status()


async def prepare(database: Path, chat_ids: range, target: Target) -> int:
    """Reachable users and one running broadcast to all of them."""
    await target.add_people(chat_ids)
    store = await Store.open(database)
    try:
        now = utc_now()
        async with store.write() as db:
            await db.executemany(
                "INSERT INTO users (telegram_id, chat_id, pseudonym, language, created_at)"
                " VALUES (?, ?, ?, 'vi', ?)",
                [(chat, chat, f"R{chat:011d}", now) for chat in chat_ids],
            )
        recipients = await broadcasts.audience_users(store, "all", "sdg_scorecard")
        broadcast_id = await broadcasts.create(
            store, 1, "all", "Hội thảo thẻ điểm SDG vào thứ Bảy / Scorecard meeting on Saturday",
            [(chat, user) for chat, user in recipients],
        )  # fmt: skip
        await broadcasts.set_status(store, broadcast_id, "running", expect="draft")
        return broadcast_id
    finally:
        await store.close()


async def run_delivery(
    database: Path, target: Target, rate: float, latency: float, arrival: float
) -> dict[str, int]:
    """What the bot does at start-up: mark interrupted rows, then deliver what is left."""
    store = await Store.open(database)
    bot = target.bot(latency, arrival)
    try:
        await bot.initialize()
        result: dict[str, int] = {}
        for broadcast_id in await broadcasts.running(store):
            await broadcasts.mark_interrupted(store, broadcast_id)
            result = await deliver(store, bot, broadcast_id, rate)
        return result
    finally:
        await bot.shutdown()
        await store.close()


def busiest_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def part_one(folder: Path, target: Target, args: argparse.Namespace) -> None:
    database = folder / "rate.sqlite3"
    asyncio.run(prepare(database, range(FIRST_CHAT, FIRST_CHAT + args.size), target))
    started = time.monotonic()
    counts = asyncio.run(run_delivery(database, target, args.rate, args.latency, args.arrival))
    elapsed = time.monotonic() - started
    rows = target.deliveries()
    stamps = [stamp for _chat, stamp in rows]
    per_chat = Counter(chat for chat, _stamp in rows)
    span = max(stamps) - min(stamps)
    sustained = (len(rows) - 1) / span if span > 0 else float("nan")
    network = args.server or f"offline, latency {args.latency * 1000:.0f} ms"
    print(f"part 1: {args.size} recipients, rate setting {args.rate}/s, {network}")
    print(f"  delivered            {len(rows)} in {elapsed:.1f} s  (statuses: {counts})")
    print(f"  sustained rate       {sustained:.2f} msg/s")
    print(f"  ratio to 30/s        {sustained / CEILING:.3f}  (target >= 0.9)")
    print(f"  busiest 1 s window   {busiest_second(stamps)} messages arriving (limit 30)")
    if target.log is not None:
        sends = busiest_second(target.send_times())
        print(f"                       {sends} calls made (the pacer's own count)")
    print(f"  duplicates           {sum(n - 1 for n in per_chat.values() if n > 1)}  (target 0)")
    print(f"  missing              {args.size - len(per_chat)}", flush=True)


def part_two(folder: Path, target: Target, args: argparse.Namespace) -> None:
    database = folder / "crash.sqlite3"
    first = FIRST_CHAT + 1_000_000
    asyncio.run(prepare(database, range(first, first + args.crash_size), target))
    child = [
        sys.executable, __file__, "--child", str(database), *target.child_arguments(),
        "--rate", str(args.rate), "--latency", str(args.latency), "--arrival", str(args.arrival),
    ]  # fmt: skip
    process = subprocess.Popen(child)
    while len(target.deliveries()) < args.crash_size // 2 and process.poll() is None:
        time.sleep(0.05 if target.log else 0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = len(target.deliveries())
    subprocess.run(child, check=True)
    rows = target.deliveries()
    per_chat = Counter(chat for chat, _stamp in rows)
    final = asyncio.run(_counts(database))
    twice = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = args.crash_size - len(per_chat)
    print(
        f"part 2: {args.crash_size} recipients, SIGKILL after {at_kill} deliveries, then a restart"
    )
    print(f"  delivered            {len(rows)}  (statuses: {final})")
    print(f"  sent twice           {twice}  (target 0)")
    print(f"  lost                 {lost}  (target 0; at most the 'uncertain' rows, reported)")


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    """``python -m localbotapi`` on a free port, in its own process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "localbotapi", "--port", str(port)], stdout=subprocess.DEVNULL
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{root}/_control/users", timeout=1).close()
            return server, root
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the local Bot API server did not start")


async def _counts(database: Path) -> dict[str, int]:
    store = await Store.open(database)
    try:
        return await broadcasts.counts(store, 1)
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="recipients in part 1")
    parser.add_argument("--crash-size", type=int, default=10_000, help="recipients in part 2")
    parser.add_argument("--rate", type=float, default=28.0, help="outreach.broadcast_rate")
    parser.add_argument("--latency", type=float, default=0.1, help="offline: seconds per call")
    parser.add_argument("--arrival", type=float, default=0.5, help="offline: arrival point (0-1)")
    parser.add_argument("--server", choices=["localbotapi"], help="send over HTTP to this server")
    parser.add_argument("--skip-rate", action="store_true", help="only the crash part")
    parser.add_argument("--child", metavar="DATABASE", help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--root-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        target = Target(log=args.log, root_url=args.root_url)
        asyncio.run(run_delivery(Path(args.child), target, args.rate, args.latency, args.arrival))
        return
    server = None
    with tempfile.TemporaryDirectory() as folder:
        try:
            if args.server:
                server, root = start_server()
                target = Target(root_url=root)
            else:
                target = Target(log=Path(folder) / "deliveries.log")
            if not args.skip_rate:
                part_one(Path(folder), target, args)
            if target.log is not None:
                target.log.unlink(missing_ok=True)
            part_two(Path(folder), target, args)
        finally:
            if server is not None:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
