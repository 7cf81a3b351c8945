"""A small hand-computed dataset, stored through the real storage functions.

SDG 1, indicator 1.1.1 ("now" / "forecast"; years 2022 / 2025):

    respondent          group  region  area   now   forecast
    Y1..Y5              youth  north   urban  1..5  2, 3, 4, 5, 5
    Y6                  youth  north   rural  DK    (skipped)
    W1, W2              women  south   rural  1, 1  2, 2

    SDG 1 now:      (1+2+3+4+5+1+1) / 7 = 17/7 = 2.428571; forecast 23/7 = 3.285714
    growth:         (23/7 - 17/7) / (17/7) = 6/17 = 35.29 %; per year (6/7) / 3 = 0.285714
    don't know:     1 of 8 answers "now" = 12.5 %; the skip is not an answer
    official (cfg): 4.0, so the gap is 17/7 - 4 = -1.571429
    youth now 15/5 = 3.0 (5 respondents: shown); women 2/2 (2 respondents: hidden at k=5)
    SDG 4 (4.1.1 now = 3, 5 by W1, W2 only): 2 respondents, hidden everywhere.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from conversations.services import CONSENT_VERSION
from storage import responses, users
from storage.store import Store
from survey.model import DEFAULT_SURVEY
from tests.auxil.harness import Harness, make_settings
from tests.auxil.offline import OfflineTelegram

ADMIN = 900001
COORDINATOR = 900002
STRANGER = 900003
OFFICIAL = {"sdg1": {"level": 4.0, "source": "National report 2020"}}

Ratings = dict[tuple[str, str], int | str | None]  # value, None for don't know, "skip"


@dataclass
class Respondent:
    telegram_id: int
    profile: dict[str, str]
    ratings: Ratings
    submit: bool = True
    comment: str | None = None
    invitation: str | None = None


async def add_respondent(store: Store, survey: Any, person: Respondent) -> int:
    user = await users.ensure_user(store, person.telegram_id, person.telegram_id)
    await users.record_consent(store, user.id, True, CONSENT_VERSION)
    response = await responses.start_response(
        store, user.id, survey.id, survey.version, survey.content_hash, person.invitation,
        person.profile,
    )  # fmt: skip
    for (code, kind), value in person.ratings.items():
        sdg = survey.item_by_code[code][0].sdg
        skipped = value == "skip"
        await responses.save_rating(
            store,
            response.id,
            code,
            kind,
            sdg,
            None if skipped else value,
            skipped,  # type: ignore[arg-type]
        )
    if person.comment is not None:
        await responses.save_text(store, response.id, "section:sdg1", person.comment)
    if person.submit:
        await responses.submit(store, response.id)
    return response.id


def youth(n: int, now: int | None, forecast: int | str | None, area: str = "urban") -> Respondent:
    profile = {"group": "youth", "region": "north", "area": area}
    ratings: Ratings = {("1.1.1", "now"): now, ("1.1.1", "forecast"): forecast}
    return Respondent(800000 + n, profile, ratings, comment=f"Ý kiến {n}" if n == 1 else None)


def woman(n: int, now: int, forecast: int, four: int) -> Respondent:
    profile = {"group": "women", "region": "south", "area": "rural"}
    ratings: Ratings = {
        ("1.1.1", "now"): now,
        ("1.1.1", "forecast"): forecast,
        ("4.1.1", "now"): four,
    }
    return Respondent(810000 + n, profile, ratings)


DATASET = [
    youth(1, 1, 2),
    youth(2, 2, 3),
    youth(3, 3, 4),
    youth(4, 4, 5),
    youth(5, 5, 5),
    youth(6, None, "skip", area="rural"),
    woman(1, 1, 2, 3),
    woman(2, 1, 2, 5),
]


def report_round_survey(folder: Path) -> Path:
    """The shipped survey as the report's round (2022 now, 2025 forecast), so the
    hand computations above hold whatever years the shipped file asks about."""
    shipped = resources.files("survey.files").joinpath(DEFAULT_SURVEY).read_text("utf-8")
    now = re.search(r'id = "now"\nyear = (\d+)', shipped)
    forecast = re.search(r'id = "forecast"\nyear = (\d+)', shipped)
    assert now is not None and forecast is not None
    text = shipped.replace(f'id = "now"\nyear = {now[1]}', 'id = "now"\nyear = 2022').replace(
        f'id = "forecast"\nyear = {forecast[1]}', 'id = "forecast"\nyear = 2025'
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report-round-survey.toml"
    path.write_text(text, encoding="utf-8")
    return path


def digest_settings(database: Path, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "survey": {"file": str(report_round_survey(database.parent))},
        "access": {"admins": [ADMIN]},
        "digest": {"official": OFFICIAL},
        "coordinators": [
            {"telegram_id": COORDINATOR, "scope": {"region": "north"}, "schedule": "daily 08:00",
             "language": "en"},
        ],
    }  # fmt: skip
    values.update(overrides)
    return make_settings(database, **values)


class FilesTelegram(OfflineTelegram):
    """OfflineTelegram that also keeps the files sent, by file name."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        # Per request: the method and its multipart parts, field name -> (file name, bytes).
        self.uploads: list[tuple[str, dict[str, tuple[str, bytes]]]] = []

    async def do_request(
        self, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        parts = (request_data.multipart_data or {}) if request_data is not None else {}
        self.uploads.append(
            (url.rsplit("/", 1)[-1], {key: (name, data) for key, (name, data, _m) in parts.items()})
        )
        for _name, (filename, content, _mime) in (
            (request_data.multipart_data or {}).items() if request_data is not None else []
        ):
            self.files[filename] = content
        return await super().do_request(url, method, request_data, *args, **kwargs)


@pytest.fixture
async def digest_harness(database: Path) -> AsyncIterator[Harness]:
    async with Harness(digest_settings(database), FilesTelegram()) as running:
        # The admin reads English; the config coordinator has language "en".
        admin = await users.ensure_user(running.services.store, ADMIN, ADMIN)
        await users.set_language(running.services.store, admin.id, "en")
        for person in DATASET:
            await add_respondent(running.services.store, running.services.survey, person)
        yield running


def published(h: Harness, k: int = 5, round_id: str = "") -> Any:
    """The round's protected publication, as every output reads it."""
    from reporting import publication
    from storage import analytics

    with analytics.snapshot(h.settings.storage.database) as db:
        return publication.load(db, h.services.survey.id, round_id, k)
