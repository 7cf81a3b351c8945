"""The designed dataset of issue 16, stored through the real storage functions.

Two rounds. Round 2026 (closed): 30 respondents. Round 2027 (open): 29, of
whom the ones an attacker wants:

    who                          mode       invitation                  group                      region   area
    12 young people              self       Youth Union Hanoi           youth                      north    8 urban, 4 rural
     2 LGBTIQ+ people            self       LGBTIQ+ Saigon Collective   lgbtiq                     south    urban
     9 women                     paper      -                           women                      central  rural
     4 ethnic-minority people    paper      -                           ethnic_minority            central  remote
     1 interviewee (the target)  interview  Youth Union Hanoi           ethnic_minority disability central  remote
     1 woman                     self       -                           women                      north    urban

Round 2026 has 3 LGBTIQ+ paper respondents (so the group has 3 + 2 people
over two rounds, but 2 in the round published) and 27 others. Everyone rates
1.1.1 and 4.1.1 now and forecast, values from a fixed generator, some
"don't know". Two group sessions: one of 4 people (votes), one of 8.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conversations.invitations import InviteRequest, create
from conversations.services import CONSENT_VERSION
from storage import responses, rounds, users
from storage.store import Store
from survey.model import Survey, load_survey

K = 5
ITEMS = (("1.1.1", 1), ("1.2.1", 1), ("4.1.1", 4))
YOUTH_UNION = "Youth Union Hanoi"
SAIGON = "LGBTIQ+ Saigon Collective"


@dataclass(frozen=True)
class Kind:
    count: int
    mode: str
    invitation: str | None
    group: str
    region: str
    area: str


ROUND_2027 = [
    Kind(8, "self", YOUTH_UNION, "youth", "north", "urban"),
    Kind(4, "self", YOUTH_UNION, "youth", "north", "rural"),
    Kind(2, "self", SAIGON, "lgbtiq", "south", "urban"),
    Kind(9, "paper", None, "women", "central", "rural"),
    Kind(4, "paper", None, "ethnic_minority", "central", "remote"),
    Kind(1, "interview", YOUTH_UNION, "ethnic_minority disability", "central", "remote"),
    Kind(1, "self", None, "women", "north", "urban"),
]
ROUND_2026 = [
    Kind(10, "self", YOUTH_UNION, "youth", "north", "urban"),
    Kind(3, "paper", None, "lgbtiq", "south", "urban"),
    Kind(9, "paper", None, "women", "central", "rural"),
    Kind(8, "self", None, "women", "north", "urban"),
]


@dataclass
class Designed:
    database: Path
    survey: Survey
    target: int  # the interviewee's response id


async def _add(
    store: Store, survey: Survey, kind: Kind, codes: dict[str, str], rng: random.Random
) -> int:
    if kind.mode == "self":
        user = await users.ensure_user(store, tid := rng.randrange(10**8, 10**9), tid)
    else:
        user = await users.create_offline_user(store, "vi")
    await users.record_consent(store, user.id, True, CONSENT_VERSION)
    profile = {"group": kind.group, "region": kind.region, "area": kind.area}
    code = codes.get(kind.invitation or "")
    response = await responses.start_response(
        store, user.id, survey.id, survey.version, survey.content_hash, code, profile, kind.mode
    )
    for item, sdg in ITEMS:
        for rating in ("now", "forecast"):
            value = rng.choice([1, 2, 3, 3, 4, 4, 5, None])
            await responses.save_rating(store, response.id, item, rating, sdg, value, False)
    await responses.submit(store, response.id)
    return response.id


async def build_designed(folder: Path) -> Designed:
    survey = load_survey()
    database = folder / "designed.sqlite3"
    store = await Store.open(database)
    rng = random.Random(16)
    try:
        codes = {
            label: (await create(store, InviteRequest(label=label), None)).code
            for label in (YOUTH_UNION, SAIGON)
        }
        for kind in ROUND_2026:
            for _n in range(kind.count):
                await _add(store, survey, kind, codes, rng)
        years = (survey.years["now"], survey.years["forecast"])
        await rounds.open_round(store, "2026", "2026", years, survey.content_hash)
        await rounds.close_round(store, "2026")
        await rounds.open_round(
            store, "2027", "2027", (years[0] + 1, years[1] + 1), survey.content_hash
        )
        target = 0
        for kind in ROUND_2027:
            for _n in range(kind.count):
                response_id = await _add(store, survey, kind, codes, rng)
                if kind.mode == "interview":
                    target = response_id
    finally:
        await store.close()
    return Designed(database, survey, target)


@pytest.fixture
async def designed(tmp_path: Path) -> AsyncIterator[Designed]:
    yield await build_designed(tmp_path)
