"""Synthetic responses in the real schema, for benchmarks and demos.

    python benchmarks/synthetic.py --respondents 3100 --out /tmp/bench.sqlite3

Every respondent gets a consenting user, a response, the profile answers
(group, region, area, age_band, gender) and, when they finish, a "now" and a
"forecast" rating for every indicator of the survey (2 x 69 = 138 ratings).
Ratings are drawn around a mean per SDG shifted per group and per region
(``--group-shift youth=0.4`` etc.), with a share of "don't know" answers, a
share of skips and a share of respondents who stop part-way.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage.database import open_database
from storage.schema import MIGRATIONS
from survey.model import Survey, load_survey

CONSENT = "2026-11-1"
REBUILD_TOTALS = next(
    sql for sql in MIGRATIONS[4] if sql.lstrip().startswith("INSERT INTO rating_totals")
)


@dataclass
class Distribution:
    """How synthetic respondents answer."""

    base: float = 2.8  # mean "now" rating before shifts
    forecast_gain: float = 0.35  # mean forecast minus mean now
    spread: float = 0.9  # standard deviation of the latent rating
    sdg_shift: dict[int, float] = field(default_factory=lambda: {4: 0.5, 1: -0.3, 8: -0.3})
    group_shift: dict[str, float] = field(default_factory=dict)
    region_shift: dict[str, float] = field(default_factory=dict)
    dont_know: float = 0.06
    skipped: float = 0.01
    unfinished: float = 0.15  # share who stop before submitting
    comment: float = 0.2  # share of sections with a comment


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_schema(path: Path) -> None:
    async def run() -> None:
        db = await open_database(path)
        await db.close()

    asyncio.run(run())


def generate(
    path: Path,
    respondents: int,
    survey: Survey | None = None,
    distribution: Distribution | None = None,
    *,
    seed: int = 1,
    days: int = 28,
    end: datetime | None = None,
) -> None:
    """Write ``respondents`` synthetic responses into the SQLite file at ``path``."""
    survey = survey or load_survey()
    dist = distribution or Distribution()
    rng = np.random.default_rng(seed)
    end = end or datetime.now(UTC)
    create_schema(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    items = survey.items
    codes = [item.code for _s, item in items]
    sdgs = np.array([section.sdg for section, _i in items])
    item_mean = np.array([dist.base + dist.sdg_shift.get(int(s), 0.0) for s in sdgs])
    profile = {q.id: [c.id for c in q.choices] for q in survey.profile}
    invitations = [f"INV{n}" for n in range(4)]
    started = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
    with db:
        db.executemany(
            "INSERT OR IGNORE INTO invitations (code, label, created_at) VALUES (?, ?, ?)",
            [(code, f"Partner {n + 1}", _iso(end)) for n, code in enumerate(invitations)],
        )
    # Bulk loading: the running-totals triggers are dropped and the totals
    # rebuilt in one GROUP BY at the end (as migration 10 does), then the
    # triggers come back exactly as they were.
    triggers = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rating_totals%'"
    ).fetchall()
    for name, _sql in triggers:
        db.execute(f"DROP TRIGGER {name}")
    batch = 2000
    for first in range(0, respondents, batch):
        count = min(batch, respondents - first)
        ids = np.arange(started + first + 1, started + first + count + 1)
        answers = {qid: rng.choice(choices, size=count) for qid, choices in profile.items()}
        shift = np.zeros(count)
        if "group" in answers:
            shift += np.array([dist.group_shift.get(g, 0.0) for g in answers["group"]])
        if "region" in answers:
            shift += np.array([dist.region_shift.get(r, 0.0) for r in answers["region"]])
        start_times = [
            end - timedelta(seconds=float(s)) for s in rng.uniform(600, days * 86400, size=count)
        ]
        durations = rng.gamma(4.0, 300.0, size=count)
        finished = rng.random(count) >= dist.unfinished
        stops = rng.integers(1, len(items), size=count)
        invited = rng.integers(-1, len(invitations), size=count)
        users, consents, responses, profiles, ratings, texts = [], [], [], [], [], []
        for n in range(count):
            rid = int(ids[n])
            begun = start_times[n]
            stamp = _iso(begun)
            done = _iso(begun + timedelta(seconds=float(durations[n])))
            users.append((rid, 10**9 + rid, 10**9 + rid, f"S{rid:011d}", "vi", stamp))
            consents.append((rid, 1, CONSENT, stamp))
            code = invitations[invited[n]] if invited[n] >= 0 else None
            responses.append(
                (
                    rid,
                    rid,
                    survey.id,
                    survey.version,
                    survey.content_hash,
                    code,
                    stamp,
                    done,
                    done if finished[n] else None,
                )
            )
            profiles.extend((rid, qid, str(answers[qid][n]), stamp) for qid in profile)
            answered = len(items) if finished[n] else int(stops[n])
            now = item_mean[:answered] + shift[n] + rng.normal(0, dist.spread, answered)
            forecast = now + dist.forecast_gain + rng.normal(0, 0.4, answered)
            for kind, latent in (("now", now), ("forecast", forecast)):
                values = np.clip(np.rint(latent), 1, 5).astype(int)
                draw = rng.random(answered)
                for j in range(answered):
                    if draw[j] < dist.skipped:
                        ratings.append((rid, codes[j], kind, int(sdgs[j]), None, 1, done))
                    elif draw[j] < dist.skipped + dist.dont_know:
                        ratings.append((rid, codes[j], kind, int(sdgs[j]), None, 0, done))
                    else:
                        ratings.append((rid, codes[j], kind, int(sdgs[j]), int(values[j]), 0, done))
            for section in survey.sections:
                if section.comment is not None and finished[n] and rng.random() < dist.comment:
                    texts.append((rid, f"section:{section.id}", "Ý kiến thử nghiệm", done))
        with db:
            db.executemany(
                "INSERT INTO users (id, telegram_id, chat_id, pseudonym, language, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                users,
            )
            db.executemany("INSERT INTO consents VALUES (?, ?, ?, ?)", consents)
            db.executemany(
                "INSERT INTO responses (id, user_id, survey_id, survey_version, survey_hash,"
                " invitation_code, started_at, updated_at, submitted_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                responses,
            )
            db.executemany("INSERT INTO profile_answers VALUES (?, ?, ?, ?)", profiles)
            db.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)", ratings)
            db.executemany(
                "INSERT INTO texts (response_id, question_id, text, answered_at) VALUES (?, ?, ?, ?)",
                texts,
            )
    with db:
        db.execute("DELETE FROM rating_totals")
        db.execute(REBUILD_TOTALS)
        for _name, sql in triggers:
            db.execute(sql)
    db.execute("ANALYZE")
    db.close()


def _shifts(values: Sequence[str]) -> dict[str, float]:
    result = {}
    for value in values:
        key, _, number = value.partition("=")
        result[key] = float(number)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=3100)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--group-shift", nargs="*", default=["youth=0.3", "disability=-0.4"])
    parser.add_argument("--region-shift", nargs="*", default=["north=0.2", "south=-0.1"])
    args = parser.parse_args(argv)
    if args.out.exists():
        args.out.unlink()
    dist = Distribution(
        group_shift=_shifts(args.group_shift), region_shift=_shifts(args.region_shift)
    )
    began = time.perf_counter()
    generate(args.out, args.respondents, distribution=dist, seed=args.seed)
    print(f"{args.respondents} respondents -> {args.out} in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
