"""What protection costs: hidden rows and the privacy audit's run time.

    python benchmarks/publication.py                      # 3,100 synthetic + designed
    python benchmarks/publication.py --respondents 3100 --k 5 10 20

For each database and k: the time to build the current round's publication,
its views (refused and why), its rows (people counts and means) and how many
are hidden, for too few people (primary) and to protect others (linked);
then the audit's run time and findings. Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import Distribution, generate
from reporting import publication
from reporting.audit import audit
from storage import publication as stored
from survey.model import Survey, load_survey


def measure(label: str, database: Path, survey: Survey, k: int) -> None:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    round_id = stored.round_ids(db)[-1]
    began = time.perf_counter()
    published = publication.load(db, survey.id, round_id, k)
    built = time.perf_counter() - began
    db.close()
    views = Counter(status or "shown" for status in published.views.values())
    reasons = Counter(row.hidden or "shown" for row in published.rows.values())
    means = Counter(published.hidden_means.values())
    rows = len(published.rows)
    hidden = rows - reasons["shown"]
    began = time.perf_counter()
    report = audit(database, survey, k)
    audited = time.perf_counter() - began
    print(
        f"{label:>9} k={k:<3} people={len(published.people):>6} build={built:6.2f}s"
        f" views={dict(views)} rows={rows} hidden={hidden} ({100 * hidden / max(rows, 1):.0f}%:"
        f" small {reasons['small']}, linked {reasons['linked']})"
        f" means hidden in shown rows={len(published.hidden_means)}"
        f" (small {means['small']}, linked {means['linked']})"
        f" audit={audited:6.1f}s outputs={report.outputs} findings={len(report.findings)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, nargs="*", default=[3100])
    parser.add_argument("--k", type=int, nargs="*", default=[5])
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    survey = load_survey()
    from tests.privacy.conftest import build_designed

    folder = Path(tempfile.mkdtemp())
    designed = asyncio.run(build_designed(folder))
    for k in args.k:
        measure("designed", designed.database, survey, k)
    for count in args.respondents:
        database = args.cache / f"publication-bench-{count}.sqlite3"
        if not database.exists():
            generate(database, count, survey, Distribution(), seed=7)
        for k in args.k:
            measure(f"{count:,}", database, survey, k)


if __name__ == "__main__":
    main()
