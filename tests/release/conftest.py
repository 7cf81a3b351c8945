"""A 3,100-respondent synthetic database (benchmarks/synthetic.py), made once per run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from survey.model import Official
from tests.auxil.offline import TOKEN
from tests.digest.conftest import digest_harness  # noqa: F401  (the designed data)

OFFICIAL = {1: Official(level=3.2, source="National SDG report 2020")}
OFFICIAL_TOML = '[digest.official]\nsdg1 = { level = 3.2, source = "National SDG report 2020" }\n'

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


@pytest.fixture(scope="session")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from synthetic import generate  # type: ignore[import-not-found]

    from survey.model import load_survey

    path = tmp_path_factory.mktemp("synthetic") / "scorecard.sqlite3"
    generate(path, 3100, load_survey(), seed=21)
    return path


def write_config(folder: Path, database: Path, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\ndatabase = "{database}"\n{extra}',
        encoding="utf-8",
    )
    return path
