"""``[publish] url``: /results and the digest link to the results site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import users
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import (
    ADMIN,
    DATASET,
    FilesTelegram,
    add_respondent,
    digest_settings,
)

URL = "https://example.org/scorecard"


@pytest.fixture
async def linked(database: Path) -> AsyncIterator[Harness]:
    settings = digest_settings(database, publish={"url": URL})
    async with Harness(settings, FilesTelegram()) as running:
        for person in DATASET:
            await add_respondent(running.services.store, running.services.survey, person)
        yield running


async def test_results_and_digest_link_to_the_site(linked: Harness) -> None:
    # A respondent reading Vietnamese gets the Vietnamese home page (the root).
    await linked.text(Person(800001, "vi"), "/results")
    text = linked.screen(Person(800001, "vi")).text
    assert f'<a href="{URL}/">Toàn bộ kết quả theo nhóm, vùng và khu vực' in text
    admin = await users.ensure_user(linked.services.store, ADMIN, ADMIN)
    await users.set_language(linked.services.store, admin.id, "en")
    await linked.text(Person(ADMIN, "en"), "/digest")
    digest = linked.telegram.bot_messages(ADMIN)[0].text
    assert f'<a href="{URL}/en/">All results, by group, region and area' in digest


async def test_no_link_without_the_setting(digest_harness: Harness) -> None:
    await digest_harness.text(Person(800001, "en"), "/results")
    assert "<a href" not in digest_harness.screen(Person(800001, "en")).text
