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
from storage.schema import MIGRATIONS, ROUND_MARKS_STEP
from survey.model import Survey, load_survey

CONSENT = "2026-11-1"
# The migrations' rebuilds of the running totals from every rating (tests compare
# the generator's own sums with them).
REBUILD_TOTALS = next(
    sql for sql in MIGRATIONS[4] if sql.lstrip().startswith("INSERT INTO rating_totals")
)
REBUILD_ROUND_TOTALS = next(
    sql for sql in MIGRATIONS[14] if sql.lstrip().startswith("INSERT INTO round_totals")
)
SEED_ROUND_MARKS = next(
    sql
    for sql in MIGRATIONS[ROUND_MARKS_STEP]
    if sql.lstrip().startswith("INSERT INTO round_marks")
)
KIND_NAMES = ("now", "forecast")
CELL = ("group", "region", "area")  # the profile questions a totals cell is made of


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
    # Share of responses per mode of collection (self, interview, paper).
    modes: dict[str, float] = field(default_factory=lambda: {"self": 1.0})


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_schema(path: Path) -> None:
    async def run() -> None:
        db = await open_database(path)
        await db.close()

    asyncio.run(run())


def _rounds(count: int, end: datetime, days: int) -> list[tuple[str, str, str, str | None]]:
    """``count`` yearly rounds (id, title, opens_at, closed_at), oldest first; the last
    open. Round r's responses start in the ``days`` after it opened."""
    result = []
    for r in range(count):
        back = count - 1 - r
        opens = end - timedelta(days=days + 1 + 365 * back)
        closed = None if back == 0 else _iso(opens + timedelta(days=days + 2))
        result.append((str(end.year - back), f"Round {end.year - back}", _iso(opens), closed))
    return result


def _ratings(
    rng: np.random.Generator,
    answered: np.ndarray,
    shift: np.ndarray,
    item_mean: np.ndarray,
    dist: Distribution,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every rating of a batch at once: (respondent index, item index, kind 0/1,
    value 1-5 or 0 for none, skipped), respondent by respondent, now then forecast."""
    who = np.repeat(np.arange(len(answered)), answered)
    offsets = np.repeat(np.cumsum(answered) - answered, answered)
    item = np.arange(len(who)) - offsets
    now = item_mean[item] + shift[who] + rng.normal(0, dist.spread, len(who))
    forecast = now + dist.forecast_gain + rng.normal(0, 0.4, len(who))
    whos, items, kinds, values, skips = [], [], [], [], []
    for kind, latent in enumerate((now, forecast)):
        value = np.clip(np.rint(latent), 1, 5).astype(np.int64)
        draw = rng.random(len(who))
        skipped = draw < dist.skipped
        value[draw < dist.skipped + dist.dont_know] = 0
        whos.append(who)
        items.append(item)
        kinds.append(np.full(len(who), kind))
        values.append(value)
        skips.append(skipped)
    # Respondent by respondent (the primary key's order), now before forecast.
    order = np.lexsort((np.concatenate(items), np.concatenate(kinds), np.concatenate(whos)))
    return tuple(np.concatenate(a)[order] for a in (whos, items, kinds, values, skips))  # type: ignore[return-value]


class Totals:
    """The running totals the triggers keep (storage/schema.py, migrations 4 and
    14), summed while the ratings are drawn: one counter per round, mode,
    invitation, cell (group, region, area), indicator and kind, in dense numpy
    arrays (a few hundred thousand slots), so loading 125 million ratings needs
    no GROUP BY over them afterwards.

    A row exists once any rating of its key is stored, skipped ones included
    (their ``rated``, ``total`` and ``dont_know`` are all 0), as a trigger's
    upsert leaves it; ``count`` tells which slots are such rows.
    """

    def __init__(
        self,
        round_ids: Sequence[str],
        modes: Sequence[str],
        invitations: Sequence[str],
        cells: Sequence[Sequence[str]],
        codes: Sequence[str],
        sdgs: Sequence[int],
    ) -> None:
        self.axes: list[list[str]] = [
            list(round_ids), list(modes), list(invitations), *(list(c) for c in cells),
            list(codes), list(KIND_NAMES),
        ]  # fmt: skip
        self.sdgs = [int(s) for s in sdgs]
        self.shape = tuple(len(axis) for axis in self.axes)
        size = int(np.prod(self.shape))
        self.count, self.rated, self.total, self.dont_know = (
            np.zeros(size, dtype=np.int64) for _n in range(4)
        )

    def add(
        self,
        place: np.ndarray,
        who: np.ndarray,
        item: np.ndarray,
        kind: np.ndarray,
        value: np.ndarray,
        skipped: np.ndarray,
    ) -> None:
        """Ratings (``value`` 0 for none) of respondents whose (round, mode,
        invitation, cell) index, flattened over those axes, is ``place[who]``."""
        slot = (place[who] * self.shape[-2] + item) * self.shape[-1] + kind
        size = len(self.count)
        self.count += np.bincount(slot, minlength=size)
        self.rated += np.bincount(slot, weights=value > 0, minlength=size).astype(np.int64)
        self.total += np.bincount(slot, weights=value, minlength=size).astype(np.int64)
        unknown = (value == 0) & ~skipped
        self.dont_know += np.bincount(slot, weights=unknown, minlength=size).astype(np.int64)

    def place(self, *indices: np.ndarray) -> np.ndarray:
        """The flat (round, mode, invitation, group, region, area) index of each respondent."""
        return np.ravel_multi_index(indices, self.shape[:-2])

    def _rows(self, keep: int) -> list[tuple[object, ...]]:
        """Rows (key..., sdg, rated, total, dont_know) over the last ``keep`` axes,
        the others summed away."""
        arrays = [
            a.reshape(self.shape) for a in (self.count, self.rated, self.total, self.dont_know)
        ]
        drop = tuple(range(len(self.shape) - keep))
        count, rated, total, dont_know = (a.sum(axis=drop) for a in arrays)
        axes = self.axes[len(self.shape) - keep :]
        rows = []
        for key in zip(*np.nonzero(count), strict=True):
            labels = [axes[n][i] for n, i in enumerate(key)]
            rows.append((*labels, self.sdgs[key[-2]], int(rated[key]), int(total[key]),
                         int(dont_know[key])))  # fmt: skip
        return rows

    def write(self, db: sqlite3.Connection, survey_id: str) -> None:
        """Add the sums to rating_totals and round_totals, as the triggers would
        have: onto any row already there."""
        add = (
            " ON CONFLICT DO UPDATE SET rated = rated + excluded.rated,"
            " total = total + excluded.total, dont_know = dont_know + excluded.dont_know"
        )
        db.executemany(
            "INSERT INTO rating_totals (survey_id, grp, region, area, item_code, kind, sdg,"
            " rated, total, dont_know) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + add,
            [(survey_id, *row) for row in self._rows(5)],
        )
        db.executemany(
            "INSERT INTO round_totals (survey_id, round_id, mode, invitation_code, grp, region,"
            " area, item_code, kind, sdg, rated, total, dont_know)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + add,
            [(survey_id, *row) for row in self._rows(8)],
        )


def generate(
    path: Path,
    respondents: int,
    survey: Survey | None = None,
    distribution: Distribution | None = None,
    *,
    seed: int = 1,
    days: int = 28,
    end: datetime | None = None,
    rounds: int = 0,
    progress: bool = False,
) -> None:
    """Write ``respondents`` synthetic responses into the SQLite file at ``path``.

    ``rounds`` >= 1 opens that many yearly rounds (the last one open) and spreads
    the respondents over them, the current round taking the larger share (two
    rounds: a third in the previous one); 0 leaves them outside any round, as
    before the first round exists. Ratings are drawn with numpy a batch at a
    time and loaded in bulk: 1,000,000 respondents are ~125 million ratings.
    """
    survey = survey or load_survey()
    dist = distribution or Distribution()
    rng = np.random.default_rng(seed)
    end = end or datetime.now(UTC)
    create_schema(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA cache_size = -1000000")  # 1 GB: the index pages stay in memory
    items = survey.items
    codes = np.array([item.code for _s, item in items], dtype=object)
    sdgs = np.array([section.sdg for section, _i in items])
    item_mean = np.array([dist.base + dist.sdg_shift.get(int(s), 0.0) for s in sdgs])
    profile = {q.id: [c.id for c in q.choices] for q in survey.profile}
    invitations = [f"INV{n}" for n in range(4)]
    modes = list(dist.modes)
    mode_weights = np.array([dist.modes[m] for m in modes], dtype=float)
    mode_weights /= mode_weights.sum()
    started = db.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
    cycles = _rounds(rounds, end, days)
    with db:
        db.executemany(
            "INSERT OR IGNORE INTO invitations (code, label, created_at) VALUES (?, ?, ?)",
            [(code, f"Partner {n + 1}", _iso(end)) for n, code in enumerate(invitations)],
        )
        db.executemany(
            "INSERT INTO rounds VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
            [
                (rid, title, survey.years["now"], survey.years["forecast"], survey.content_hash,
                 opens, closed)
                for rid, title, opens, closed in cycles
            ],
        )  # fmt: skip
    # Bulk loading: the running-totals triggers (rating_totals and round_totals)
    # are dropped and the totals summed here as the ratings are drawn (Totals),
    # written at the end; so are the triggers that touch a response for each
    # answer (updated_at is written as the last answer's time, which they would
    # leave), the rounds' change marks (set at the end as migration 20 does)
    # and the index on ratings (built once at the end, not row by row).
    # Then they all come back exactly as they were.
    dropped = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE (type = 'trigger'"
        " AND (name LIKE 'rating_totals%' OR name LIKE 'round_totals%'"
        " OR name LIKE 'round_marks%' OR name LIKE '%_touches_response'))"
        " OR (type = 'index' AND tbl_name = 'ratings' AND sql IS NOT NULL)"
    ).fetchall()
    for kind, name, _sql in dropped:
        db.execute(f"DROP {kind.upper()} {name}")
    # Which round each respondent is in: the earlier rounds share a third.
    if rounds:
        earlier = respondents // 3 if rounds > 1 else 0
        bounds = [earlier * r // (rounds - 1) for r in range(rounds)] if rounds > 1 else [0]
    cells = [profile.get(qid, [""]) for qid in CELL]
    choice_index = [{choice: n for n, choice in enumerate(choices)} for choices in cells]
    totals = Totals(
        [cycle[0] for cycle in cycles] or [""], modes, ["", *invitations], cells, codes, sdgs
    )
    batch = 10_000
    began = time.perf_counter()
    for first in range(0, respondents, batch):
        count = min(batch, respondents - first)
        ids = np.arange(started + first + 1, started + first + count + 1)
        answers = {qid: rng.choice(choices, size=count) for qid, choices in profile.items()}
        shift = np.zeros(count)
        if "group" in answers:
            shift += np.array([dist.group_shift.get(g, 0.0) for g in answers["group"]])
        if "region" in answers:
            shift += np.array([dist.region_shift.get(r, 0.0) for r in answers["region"]])
        seconds = rng.uniform(600, days * 86400, size=count)
        durations = rng.gamma(4.0, 300.0, size=count)
        finished = rng.random(count) >= dist.unfinished
        stops = rng.integers(1, len(items), size=count)
        invited = rng.integers(-1, len(invitations), size=count)
        mode_of = rng.choice(len(modes), size=count, p=mode_weights)
        if rounds:
            place = np.searchsorted(bounds, first + np.arange(count), side="right") - 1
        users, consents, responses, profiles, texts, done_at = [], [], [], [], [], []
        for n in range(count):
            rid = int(ids[n])
            if rounds:
                back = rounds - 1 - int(place[n])
                begun = end - timedelta(seconds=float(seconds[n]), days=365 * back)
                round_id = cycles[int(place[n])][0]
            else:
                begun, round_id = end - timedelta(seconds=float(seconds[n])), ""
            stamp = _iso(begun)
            done = _iso(begun + timedelta(seconds=float(durations[n])))
            done_at.append(done)
            users.append((rid, 10**9 + rid, 10**9 + rid, f"S{rid:011d}", "vi", stamp))
            consents.append((rid, 1, CONSENT, stamp))
            code = invitations[invited[n]] if invited[n] >= 0 else None
            responses.append(
                (
                    rid, rid, survey.id, survey.version, survey.content_hash, code, stamp, done,
                    done if finished[n] else None, modes[mode_of[n]], round_id,
                )
            )  # fmt: skip
            profiles.extend((rid, qid, str(answers[qid][n]), stamp) for qid in profile)
            if finished[n]:
                for section in survey.sections:
                    if section.comment is not None and rng.random() < dist.comment:
                        texts.append((rid, f"section:{section.id}", "Ý kiến thử nghiệm", done))
        answered = np.where(finished, len(items), stops)
        who, item, kind, value, skipped = _ratings(rng, answered, shift, item_mean, dist)
        in_cell = [
            np.fromiter((index[c] for c in answers[qid]), np.int64, count)
            if qid in answers
            else np.zeros(count, dtype=np.int64)
            for qid, index in zip(CELL, choice_index, strict=True)
        ]
        in_round = place if rounds else np.zeros(count, dtype=np.int64)
        totals.add(
            totals.place(in_round, mode_of, invited + 1, *in_cell), who, item, kind, value, skipped
        )
        values = value.astype(object)
        values[value == 0] = None
        ratings = zip(
            ids[who].tolist(),
            codes[item].tolist(),
            np.array(KIND_NAMES, dtype=object)[kind].tolist(),
            sdgs[item].tolist(),
            values.tolist(),
            skipped.astype(np.int64).tolist(),
            np.array(done_at, dtype=object)[who].tolist(),
            strict=True,
        )
        with db:
            db.executemany(
                "INSERT INTO users (id, telegram_id, chat_id, pseudonym, language, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                users,
            )
            db.executemany("INSERT INTO consents VALUES (?, ?, ?, ?)", consents)
            db.executemany(
                "INSERT INTO responses (id, user_id, survey_id, survey_version, survey_hash,"
                " invitation_code, started_at, updated_at, submitted_at, mode, round_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                responses,
            )
            db.executemany("INSERT INTO profile_answers VALUES (?, ?, ?, ?)", profiles)
            db.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)", ratings)
            db.executemany(
                "INSERT INTO texts (response_id, question_id, text, answered_at) VALUES (?, ?, ?, ?)",
                texts,
            )
        if progress and (first // batch) % 10 == 9:
            done_so_far = first + count
            print(f"  {done_so_far} respondents in {time.perf_counter() - began:.0f} s", flush=True)
    with db:
        totals.write(db, survey.id)
        db.execute("DELETE FROM round_marks")
        db.execute(SEED_ROUND_MARKS)
        for _kind, _name, sql in dropped:
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
    parser.add_argument("--rounds", type=int, default=0, help="yearly rounds (0: none)")
    parser.add_argument(
        "--modes", nargs="*", default=["self=1"], help="share per mode, e.g. self=0.9 paper=0.1"
    )
    args = parser.parse_args(argv)
    if args.out.exists():
        args.out.unlink()
    dist = Distribution(
        group_shift=_shifts(args.group_shift),
        region_shift=_shifts(args.region_shift),
        modes=_shifts(args.modes),
    )
    began = time.perf_counter()
    generate(
        args.out, args.respondents, distribution=dist, seed=args.seed, rounds=args.rounds,
        progress=True,
    )  # fmt: skip
    print(f"{args.respondents} respondents -> {args.out} in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
