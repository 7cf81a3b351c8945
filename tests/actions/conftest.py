"""Action plans: a round of the digest tests' people, a config file, the CLI."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from cli.main import main
from storage import responses, users
from tests.auxil.harness import Harness
from tests.auxil.offline import TOKEN
from tests.digest.conftest import (  # digest_harness: the fixture, shared
    ADMIN,
    DATASET,
    Respondent,
    add_respondent,
    digest_harness,  # noqa: F401
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



# A meeting's round: six young people in the north (towns), six women in the south
# (villages), enough of each for their rows to be shown.
#   1.1.1 now: youth 1 2 2 3 1 2 (11/6 = 1.83), women 4 4 5 3 4 4 (24/6 = 4.0), all 35/12 = 2.92
#   4.1.1 now: youth 3 3 4 4 5 3 (22/6 = 3.67), women 2 2 1 2 3 2 (12/6 = 2.0), all 34/12 = 2.83
YOUTH_111, YOUTH_411 = [1, 2, 2, 3, 1, 2], [3, 3, 4, 4, 5, 3]
WOMEN_111, WOMEN_411 = [4, 4, 5, 3, 4, 4], [2, 2, 1, 2, 3, 2]


def meeting_people(offset: int = 0) -> list[Respondent]:
    people = []
    for n in range(6):
        people.append(Respondent(
            820000 + offset + n, {"group": "youth", "region": "north", "area": "urban"},
            {("1.1.1", "now"): YOUTH_111[n], ("4.1.1", "now"): YOUTH_411[n],
             ("1.1.1", "forecast"): 3},
            comment="Nhiều nhà còn thiếu ăn" if n == 0 else None,
        ))  # fmt: skip
        people.append(Respondent(
            830000 + offset + n, {"group": "women", "region": "south", "area": "rural"},
            {("1.1.1", "now"): WOMEN_111[n], ("4.1.1", "now"): WOMEN_411[n],
             ("1.1.1", "forecast"): 4},
        ))  # fmt: skip
    return people


async def add_meeting_round(store: Any, survey: Any, offset: int = 0, priorities: bool = True) -> list[int]:
    ids = []
    for number, person in enumerate(meeting_people(offset)):
        response_id = await add_respondent(store, survey, person)
        if priorities:
            chosen = ["sdg4", "sdg1"] if number % 3 else ["sdg1"]
            await responses.save_choices(store, response_id, "priorities", chosen, True)
        ids.append(response_id)
    return ids


@pytest.fixture
def meeting_round(database: Path, tmp_path: Path) -> Path:
    async def fill() -> None:
        async with Harness(digest_settings(database)) as running:
            await add_meeting_round(running.services.store, running.services.survey)

    asyncio.run(fill())
    return write_config(tmp_path, database)


# Service providers of the same place: five commune officials rate the same statements,
# higher than the community (1.1.1: 4 4 4 5 5 = 4.4; 4.1.1: 4 4 4 4 5 = 4.2).
PROVIDERS_111, PROVIDERS_411 = [4, 4, 4, 5, 5], [4, 4, 4, 4, 5]


async def add_providers(store: Any, survey: Any, code: str = "providercode01") -> None:
    await users.add_invitation(
        store, code, label="UBND xã Tân Lập", role="provider", organisation="UBND xã Tân Lập"
    )
    for n in range(5):
        person = Respondent(
            840000 + n, {"group": "cso", "region": "north", "area": "urban"},
            {("1.1.1", "now"): PROVIDERS_111[n], ("4.1.1", "now"): PROVIDERS_411[n]},
            comment="Ý kiến của cán bộ" if n == 0 else None, invitation=code,
        )  # fmt: skip
        await add_respondent(store, survey, person)


@pytest.fixture
def meeting_with_providers(database: Path, tmp_path: Path) -> Path:
    async def fill() -> None:
        async with Harness(digest_settings(database)) as running:
            await add_meeting_round(running.services.store, running.services.survey)
            await add_providers(running.services.store, running.services.survey)

    asyncio.run(fill())
    return write_config(tmp_path, database)
