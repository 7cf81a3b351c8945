"""Time a full digest (analysis, text, charts, workbook) and its peak memory.

    python benchmarks/digest_timing.py                 # 3,100 and 100,000 respondents
    python benchmarks/digest_timing.py --respondents 3100 --runs 5

Synthetic databases (benchmarks/synthetic.py) are cached in --cache. Each
scale runs in a fresh process, so its peak resident memory is its own, and
the imports (pandas, matplotlib, xlsxwriter) are timed apart: a running bot
pays them once, a one-off CLI digest pays them on top of its first run.
Targets: <= 1 s at 3,100 respondents; <= 5 s and < 1 GB at 100,000.
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

from benchmarks.synthetic import Distribution, generate
from survey.model import load_survey

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def measure(database: Path, runs: int) -> None:
    began = time.perf_counter()
    import pandas  # noqa: F401  (the analysis layer; timed on its own)

    pandas_s = time.perf_counter() - began
    from reporting.digest.analysis import analyse
    from reporting.digest.charts import render_charts
    from reporting.digest.text import render_text
    from reporting.digest.workbook import render_workbook

    imports_s = time.perf_counter() - began
    survey = load_survey()
    totals, parts = [], []
    for _run in range(runs):
        end = datetime.now(UTC)
        start = end - timedelta(days=7)
        began = time.perf_counter()
        analysis = analyse(database, survey, {}, start, end)
        analysed = time.perf_counter()
        render_text(analysis, "vi", ZONE)
        charts = render_charts(analysis, "vi")
        charted = time.perf_counter()
        workbook = render_workbook(analysis, "vi", ZONE)
        finished = time.perf_counter()
        totals.append(finished - began)
        parts.append((analysed - began, charted - analysed, finished - charted))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(range(runs), key=lambda i: totals[i])
    analysis_s, charts_s, workbook_s = parts[best]
    print(
        f"{analysis.progress.started:>7} respondents: digest first {totals[0]:.2f} s,"
        f" median {statistics.median(totals):.2f} s, best {totals[best]:.2f} s"
        f" (analysis {analysis_s:.2f}, text+charts {charts_s:.2f}, workbook {workbook_s:.2f});"
        f" peak RSS {peak_mb:.0f} MB; charts {sum(map(len, charts)) // 1024} KB,"
        f" workbook {len(workbook) // 1024} KB, {len(analysis.comments)} comments;"
        f" imports {imports_s:.2f} s (pandas {pandas_s:.2f} s),"
        f" cold (imports + first run) {imports_s + totals[0]:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, nargs="*", default=[3100, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/scorecard-bench"))
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure is not None:
        measure(args.measure, args.runs)
        return 0
    args.cache.mkdir(parents=True, exist_ok=True)
    for count in args.respondents:
        database = args.cache / f"synthetic-{count}.sqlite3"
        if not database.exists():
            print(f"generating {count} respondents into {database} ...", flush=True)
            began = time.perf_counter()
            generate(database, count, distribution=Distribution(group_shift={"youth": 0.3}))
            print(f"  generated in {time.perf_counter() - began:.0f} s", flush=True)
        subprocess.run(
            [sys.executable, __file__, "--measure", str(database), "--runs", str(args.runs)],
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
