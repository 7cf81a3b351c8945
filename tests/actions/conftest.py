"""Action plans: a round of the digest tests' people, a config file, the CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli.main import main
from storage import users
from tests.auxil.harness import Harness
from tests.auxil.offline import TOKEN
from tests.digest.conftest import (
    ADMIN,
    DATASET,
    add_respondent,
    digest_settings,
    report_round_survey,
)


def write_config(tmp_path: Path, database: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\ndatabase = "{database}"\n'
        f'[survey]\nfile = "{report_round_survey(database.parent)}"\n'
        f"[access]\nadmins = [{ADMIN}]\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def stored_round(database: Path, tmp_path: Path) -> Path:
    """The digest tests' eight people in a database; returns a config file for it."""

    async def fill() -> None:
        async with Harness(digest_settings(database)) as running:
            admin = await users.ensure_user(running.services.store, ADMIN, ADMIN)
            await users.set_language(running.services.store, admin.id, "en")
            for person in DATASET:
                await add_respondent(running.services.store, running.services.survey, person)

    asyncio.run(fill())
    return write_config(tmp_path, database)


def cli(config: Path, *argv: str) -> int:
    return main(["--config", str(config), *argv])


def rows_of(path: Path) -> list[list[object]]:
    sheet = load_workbook(path)["Actions"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def fill_rows(path: Path, rows: list[list[object]], start: int = 2) -> None:
    book = load_workbook(path)
    sheet = book["Actions"]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(start + offset, column).value = value
    book.save(path)


def table(database: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return [tuple(r) for r in connection.execute(sql)]
    finally:
        connection.close()


from tests.digest.conftest import digest_harness  # noqa: E402, F401  (the fixture, shared)
