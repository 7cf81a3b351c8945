"""Load over real HTTP: the bot process, the local Bot API server, N respondents at once.

    python benchmarks/load_http.py --respondents 200 --ratings 10 [--think 8 --ramp 8]

Starts the local Bot API server (its own process), then ``scorecard-bot run`` (its own
process, a fresh SQLite file), and walks N simulated respondents in parallel through
/start, language, consent, the profile and ``--ratings`` ratings (``--ratings 0``: the
whole survey, submitted). Prints answers/s, the time from a button press to the next
question arriving at the user (p50/p95/p99), the bot's peak RSS (VmHWM) and the CPU
seconds each process used, so a slow figure can be pinned on the bot, the server or
the simulated users. ``--think`` adds a random pause before each tap (mean in seconds):
0 measures the most the bot can take; about 8 s is a person reading an indicator.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from localbotapi import ControlClient
from survey.model import load_survey
from tests.e2e.driver import TOKEN, BotProcess, ChatWatcher, Respondent


class ServerProcess:
    """``python -m localbotapi`` in its own process, so it does not share our GIL."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "localbotapi", "--port", "0", "--token", TOKEN],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        match = re.search(r"(http://[\d.]+:\d+)/bot", line)
        if match is None:
            raise RuntimeError(f"unexpected server output: {line!r}")
        self.root = match.group(1)
        self.base_url = f"{self.root}/bot"
        self.base_file_url = f"{self.root}/file/bot"
        self.control_url = f"{self.root}/_control"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else psutil.Process(pid).memory_info().rss / 2**20


def bot_reply_delays(calls: list[dict[str, Any]], people: list[Respondent]) -> list[float]:
    """ms from each press to the bot's next edit or message in that chat, as the server saw it."""
    replies: dict[int, list[float]] = {}
    for call in calls:
        if call["ok"] and call["method"] in ("editMessageText", "sendMessage"):
            replies.setdefault(int(call["params"]["chat_id"]), []).append(call["time"])
    delays = []
    for person in people:
        times = sorted(replies.get(person.user.id, []))
        for pressed in person.pressed_at:
            index = bisect.bisect_left(times, pressed)
            if index < len(times):
                delays.append((times[index] - pressed) * 1000)
    return delays


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(respondents: int, ratings: int, ramp: float, think: float) -> None:
    survey = load_survey(None)
    server = ServerProcess()
    folder = Path(tempfile.mkdtemp(prefix="load_http-"))
    bot = BotProcess(server, folder / "scorecard.sqlite3", folder / "bot.log")
    bot.extra_env["SCORECARD_LOG_LEVEL"] = "WARNING"
    try:
        async with ControlClient(server.control_url) as control:
            await bot.start_ready(control)
            assert bot.process is not None
            processes = {
                "bot": psutil.Process(bot.process.pid),
                "server": psutil.Process(server.process.pid),
                "users": psutil.Process(),
            }
            cpu_before = {name: sum(p.cpu_times()[:2]) for name, p in processes.items()}
            async with ChatWatcher(control) as watcher:
                people = [
                    Respondent(
                        await control.create_user(f"P{n}", language_code="vi"),
                        survey,
                        "vi" if n % 2 else "en",
                        timeout=120,
                        watcher=watcher,
                        think=think,
                    )
                    for n in range(respondents)
                ]

                async def take_part(index: int, person: Respondent) -> None:
                    await asyncio.sleep(ramp * index / respondents)
                    await person.begin()
                    if ratings:
                        await person.answer(until=lambda _step: len(person.given) >= ratings)
                    else:
                        await person.answer()

                started = time.perf_counter()
                await asyncio.gather(*(take_part(i, p) for i, p in enumerate(people)))
                elapsed = time.perf_counter() - started
            cpu = {name: sum(p.cpu_times()[:2]) - cpu_before[name] for name, p in processes.items()}
            rss = peak_rss_mb(bot.process.pid)
            replies = bot_reply_delays(await control.calls(), people)
        latencies = [s * 1000 for p in people for s in p.latencies]
        answers = sum(len(p.given) for p in people)
        taps = sum(p.taps for p in people)
        print(f"respondents at once   {respondents} (think time {think:.1f} s on average)")
        print(
            f"answers (ratings)     {answers} in {elapsed:.1f} s: {answers / elapsed:.0f} answers/s"
        )
        print(f"button presses        {taps}: {taps / elapsed:.0f} presses/s")
        print(
            "press -> next question "
            f"p50 {percentile(latencies, 0.50):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms,"
            f" p99 {percentile(latencies, 0.99):.0f} ms, max {max(latencies):.0f} ms,"
            f" mean {statistics.fmean(latencies):.0f} ms"
        )
        print(
            "press -> bot's reply  "
            f"p50 {percentile(replies, 0.50):.0f} ms, p95 {percentile(replies, 0.95):.0f} ms,"
            f" p99 {percentile(replies, 0.99):.0f} ms (the server's log: without the"
            " simulated users' own overhead)"
        )
        print(f"bot peak RSS          {rss:.0f} MB")
        print(
            "CPU seconds           "
            + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
        )
        output = bot.output()
        for problem in ("database is locked", "Traceback"):
            if problem in output:
                print(f"WARNING: {problem!r} in the bot's log {bot.log}")
    finally:
        bot.stop()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200, help="in parallel (default 200)")
    parser.add_argument(
        "--ratings", type=int, default=10, help="ratings each (default 10; 0: whole survey)"
    )
    parser.add_argument(
        "--ramp", type=float, default=2.0, help="seconds over which respondents arrive"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds each person pauses before a tap (default 0: tap at once)",
    )
    args = parser.parse_args()
    asyncio.run(run(args.respondents, args.ratings, args.ramp, args.think))


if __name__ == "__main__":
    main()
