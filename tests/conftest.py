from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import postgres
from tests.auxil.harness import Harness, make_settings


@pytest.fixture(params=["sqlite", "postgresql"] if postgres.SERVER else ["sqlite"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """The database a test runs on: a SQLite file, or (tests/postgres.py) a fresh
    PostgreSQL schema."""
    if request.param == "sqlite":
        yield tmp_path / "data" / "scorecard.sqlite3"
        return
    url, schema = postgres.new_schema_url()
    try:
        yield postgres.TestURL(url, tmp_path / "data")
    finally:
        postgres.drop_schema(schema)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """PostgreSQL runs only for the files tests/postgres.py selects."""
    if not postgres.SERVER:
        return
    kept, dropped = [], []
    for item in items:
        on_postgres = "[postgresql" in item.nodeid or "-postgresql" in item.nodeid
        path = item.nodeid.split("::")[0]
        selected = postgres.EVERYTHING or path in postgres.SELECTED
        (dropped if on_postgres and not selected else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
async def harness(database: Path) -> AsyncIterator[Harness]:
    async with Harness(make_settings(database)) as running:
        yield running
