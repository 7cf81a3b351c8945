from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.auxil.harness import Harness, make_settings


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "scorecard.sqlite3"


@pytest.fixture
async def harness(database: Path) -> AsyncIterator[Harness]:
    async with Harness(make_settings(database)) as running:
        yield running
