"""Time a full digest (analysis, text, charts, workbook) and its peak memory.

    python benchmarks/digest_timing.py                 # 3,100, 100,000 and 1,000,000
    python benchmarks/digest_timing.py --respondents 3100 --runs 7
    python benchmarks/digest_timing.py --postgres postgresql://postgres@127.0.0.1:5432/

Synthetic databases (benchmarks/synthetic.py) are cached in --cache: two
rounds (a third of the respondents in the previous, closed one), 90 % self,
6 % interview and 4 % paper above 10,000 respondents (self only below: see
docs/contributing.md, "Digests"). With --postgres each SQLite file is also
copied (COPY, triggers off: the running totals as they are) into the
database ``<URL>s<respondents>``, which must exist, and timed there too.

Each scale and backend runs in a fresh process, so its peak resident memory
is its own. The imports and a first digest are timed apart (a running bot
pays them once), then a *warm* digest --runs times, as the bot makes one:
through the process's publication cache, which reads every round's people
and sums again and rebuilds the protection only when they changed; and
*rebuilt*, the same with the cache emptied before each run, as after a new
answer in every round. Targets (issue 19): a warm digest <= 0.3 s at 3,100
respondents, <= 1 s at 100,000, <= 3 s and < 500 MB at 1,000,000.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import Distribution, create_schema, generate

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
MIXED = {"self": 0.9, "interview": 0.06, "paper": 0.04}


def _digest(
    database: str, survey: object, cache: object
) -> tuple[float, float, float, float, object]:
    """One full digest as the bot builds it: (analysis, text+charts, workbook) seconds,
    the process's CPU seconds (less hostage to a busy machine), the analysis."""
    from reporting import publication
    from reporting.digest.analysis import analyse
    from reporting.digest.charts import render_charts
    from reporting.digest.text import render_text
    from reporting.digest.workbook import render_workbook

    end = datetime.now(UTC)
    cpu = time.process_time()
    began = time.perf_counter()
    with publication.reusing(cache):  # type: ignore[arg-type]
        analysis = analyse(database, survey, {}, end - timedelta(days=7), end)  # type: ignore[arg-type]
    analysed = time.perf_counter()
    reference = analysis.previous_round
    render_text(analysis, "vi", ZONE, reference)
    render_charts(analysis, "vi", reference)
    charted = time.perf_counter()
    render_workbook(analysis, "vi", ZONE, reference)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu
    return analysed - began, charted - analysed, finished - charted, cpu, analysis


def _summary(runs: list[tuple[float, float, float, float, object]]) -> str:
    totals = [sum(run[:3]) for run in runs]
    best = min(range(len(runs)), key=totals.__getitem__)
    analysis_s, charts_s, workbook_s = (statistics.median(run[n] for run in runs) for n in range(3))
    return (
        f"median {statistics.median(totals):.2f} s, best {totals[best]:.2f} s"
        f" (medians: analysis {analysis_s:.2f}, text+charts {charts_s:.2f},"
        f" workbook {workbook_s:.2f}; CPU {statistics.median(run[3] for run in runs):.2f} s)"
    )


def measure(database: str, runs: int) -> None:
    began = time.perf_counter()
    import pandas  # noqa: F401  (the analysis layer; timed on its own)

    pandas_s = time.perf_counter() - began
    import reporting.digest.charts
    import reporting.digest.workbook
    from reporting.publication import PublicationCache
    from survey.model import load_survey

    imports_s = time.perf_counter() - began
    survey = load_survey()
    cache = PublicationCache()
    first = _digest(database, survey, cache)
    warm = [_digest(database, survey, cache) for _run in range(runs)]
    rebuilt = []
    for _run in range(runs):
        cache.clear()
        reporting.digest.charts.forget_drawn()
        rebuilt.append(_digest(database, survey, cache))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    analysis = first[4]
    backend = "postgresql" if database.startswith("postgres") else "sqlite"
    print(
        f"{analysis.progress.started:>7} respondents ({analysis.round_title}), {backend}:"  # type: ignore[attr-defined]
        f" first {sum(first[:3]):.2f} s; warm {_summary(warm)};"
        f" rebuilt {_summary(rebuilt)}; peak RSS {peak_mb:.0f} MB;"
        f" imports {imports_s:.2f} s (pandas {pandas_s:.2f} s)",
        flush=True,
    )


def _sqlite(cache: Path, count: int) -> Path:
    database = cache / f"digest-{count}.sqlite3"
    if not database.exists():
        print(f"generating {count} respondents into {database} ...", flush=True)
        began = time.perf_counter()
        partial = database.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        modes = MIXED if count > 10_000 else {"self": 1.0}
        distribution = Distribution(group_shift={"youth": 0.3}, modes=modes)
        generate(partial, count, distribution=distribution, rounds=2, progress=count > 10_000)
        partial.rename(database)
        print(f"  generated in {time.perf_counter() - began:.0f} s", flush=True)
    return database


def _postgres(source: Path, url: str) -> str:
    """``url`` holding ``source``'s rows: copied once, kept for the next run."""
    from storage.copy import TargetNotEmpty, copy_to_postgres

    create_schema(url)  # type: ignore[arg-type]  (migrates a URL as open_database does)
    began = time.perf_counter()
    try:
        copy_to_postgres(source, url, verify=False)
    except TargetNotEmpty:
        return url
    print(f"  copied {source.name} to PostgreSQL in {time.perf_counter() - began:.0f} s", flush=True)
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, nargs="*", default=[3100, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/scorecard-bench"))
    parser.add_argument("--postgres", help="server URL ending in '/': databases s<respondents>")
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        measure(args.measure, args.runs)
        return 0
    args.cache.mkdir(parents=True, exist_ok=True)
    for count in args.respondents:
        source = _sqlite(args.cache, count)
        targets = [str(source)] if args.sqlite else []
        if args.postgres:
            targets.append(_postgres(source, f"{args.postgres}s{count}"))
        for target in targets:
            subprocess.run(
                [sys.executable, __file__, "--measure", target, "--runs", str(args.runs)],
                check=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
