"""Broadcast delivery: sustained rate, duplicates, and a kill -9 midway.

    python benchmarks/broadcast.py                      # 10,000 recipients (~6 min x 2)
    python benchmarks/broadcast.py --size 600 --crash-size 600 --rate 30   # a quick run

Runs the bot's own delivery code (``bot.outreach.delivery``) on a real SQLite
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
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import RequestData

from bot.outreach.delivery import deliver
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
        await asyncio.sleep(self.latency * self.arrival)
        assert request_data is not None
        chat_id = int(request_data.parameters["chat_id"])  # type: ignore[arg-type]
        os.write(self.log, f"{chat_id} {time.monotonic():.6f}\n".encode())
        # Answer without keeping 10,000 chats in memory.
        self.calls.clear()
        body = (
            b'{"ok":true,"result":{"message_id":1,"date":0,'
            b'"chat":{"id":%d,"type":"private"},"text":"x"}}' % chat_id
        )
        await asyncio.sleep(self.latency * (1 - self.arrival))
        return 200, body


async def prepare(database: Path, size: int) -> int:
    """``size`` reachable users and one running broadcast to all of them."""
    store = await Store.open(database)
    try:
        now = utc_now()
        async with store.write() as db:
            await db.executemany(
                "INSERT INTO users (telegram_id, chat_id, pseudonym, language, created_at)"
                " VALUES (?, ?, ?, 'vi', ?)",
                [(FIRST_CHAT + n, FIRST_CHAT + n, f"R{n:011d}", now) for n in range(size)],
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
    database: Path, log: Path, rate: float, latency: float, arrival: float
) -> dict[str, int]:
    """What the bot does at start-up: mark interrupted rows, then deliver what is left."""
    store = await Store.open(database)
    bot = Bot(TOKEN, request=LatencyTelegram(log, latency, arrival))
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


def deliveries(log: Path) -> list[tuple[int, float]]:
    if not log.exists():
        return []
    rows = []
    for line in log.read_text().splitlines():
        chat, stamp = line.split()
        rows.append((int(chat), float(stamp)))
    return rows


def busiest_second(stamps: list[float]) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def part_one(folder: Path, args: argparse.Namespace) -> None:
    database, log = folder / "rate.sqlite3", folder / "rate.log"
    asyncio.run(prepare(database, args.size))
    started = time.monotonic()
    counts = asyncio.run(run_delivery(database, log, args.rate, args.latency, args.arrival))
    elapsed = time.monotonic() - started
    rows = deliveries(log)
    stamps = [stamp for _chat, stamp in rows]
    per_chat = Counter(chat for chat, _stamp in rows)
    span = max(stamps) - min(stamps)
    sustained = (len(rows) - 1) / span if span > 0 else float("nan")
    print(
        f"part 1: {args.size} recipients, rate setting {args.rate}/s, latency {args.latency * 1000:.0f} ms"
    )
    print(f"  delivered            {len(rows)} in {elapsed:.1f} s  (statuses: {counts})")
    print(f"  sustained rate       {sustained:.2f} msg/s")
    print(f"  ratio to 30/s        {sustained / CEILING:.3f}  (target >= 0.9)")
    print(f"  busiest 1 s window   {busiest_second(stamps)} messages (limit 30)")
    print(f"  duplicates           {sum(n - 1 for n in per_chat.values() if n > 1)}  (target 0)")
    print(f"  missing              {args.size - len(per_chat)}")


def part_two(folder: Path, args: argparse.Namespace) -> None:
    database, log = folder / "crash.sqlite3", folder / "crash.log"
    asyncio.run(prepare(database, args.crash_size))
    child = [
        sys.executable, __file__, "--child", str(database), str(log),
        "--rate", str(args.rate), "--latency", str(args.latency), "--arrival", str(args.arrival),
    ]  # fmt: skip
    process = subprocess.Popen(child)
    while len(deliveries(log)) < args.crash_size // 2 and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = len(deliveries(log))
    subprocess.run(child, check=True)
    rows = deliveries(log)
    per_chat = Counter(chat for chat, _stamp in rows)
    final = asyncio.run(_counts(database))
    twice = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = args.crash_size - len(per_chat)
    print(
        f"part 2: {args.crash_size} recipients, SIGKILL after {at_kill} deliveries, then a restart"
    )
    print(f"  delivered            {len(rows)}  (statuses: {final})")
    print(f"  sent twice           {twice}  (target 0)")
    print(
        f"  lost                 {lost}  (target 0; at most the 'uncertain' rows, reported to the admin)"
    )


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
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per API call")
    parser.add_argument("--arrival", type=float, default=0.5, help="when a request arrives (0-1)")
    parser.add_argument("--skip-rate", action="store_true", help="only the crash part")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        database, log = (Path(part) for part in args.child)
        asyncio.run(run_delivery(database, log, args.rate, args.latency, args.arrival))
        return
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_rate:
            part_one(Path(folder), args)
        part_two(Path(folder), args)


if __name__ == "__main__":
    main()
