"""round_totals (migration 14) stays equal to a recount of every rating."""

from __future__ import annotations

from pathlib import Path

from conversations.invitations import InviteRequest, create
from conversations.services import CONSENT_VERSION
from storage import analytics, responses, rounds, users
from storage import publication as stored
from storage.store import Store
from survey.model import load_survey


def same(database: Path, survey_id: str, round_id: str) -> None:
    with analytics.snapshot(database) as db:
        kept = sorted(stored.cell_sums(db, survey_id, round_id), key=repr)
        counted = sorted(stored.recounted_sums(db, survey_id, round_id), key=repr)
    assert kept == counted
    assert kept  # something to compare


async def test_totals_follow_answers_profiles_rounds_invitations_and_deletions(
    database: Path,
) -> None:
    survey = load_survey()
    store = await Store.open(database)
    try:
        partner = await create(store, InviteRequest(label="Hội Phụ nữ"), None)
        ids = []
        for n in range(6):
            user = await users.ensure_user(store, 700 + n, 700 + n)
            await users.record_consent(store, user.id, True, CONSENT_VERSION)
            response = await responses.start_response(
                store, user.id, survey.id, survey.version, survey.content_hash,
                partner.code if n % 2 else None, {"group": "women", "region": "north"},
            )  # fmt: skip
            await responses.save_rating(store, response.id, "1.1.1", "now", 1, n % 5 + 1, False)
            await responses.save_rating(store, response.id, "1.1.1", "forecast", 1, None, False)
            ids.append((user.id, response.id))
        same(database, survey.id, "")
        # The first round takes the answers given before it.
        await rounds.open_round(store, "2026", "2026", (2026, 2030), survey.content_hash)
        same(database, survey.id, "2026")
        # A changed rating, a changed and a new profile answer, a skip.
        await responses.save_rating(store, ids[0][1], "1.1.1", "now", 1, 5, False)
        await responses.save_profile(store, ids[1][1], "group", "women ethnic_minority")
        await responses.save_profile(store, ids[2][1], "area", "remote")
        await responses.save_rating(store, ids[3][1], "1.1.1", "forecast", 1, None, True)
        same(database, survey.id, "2026")
        # A person deleted with everything they gave; an invitation removed.
        await users.delete_user(store, ids[4][0])
        await store.execute("DELETE FROM invitations WHERE code = ?", (partner.code,))
        same(database, survey.id, "2026")
    finally:
        await store.close()


async def test_a_changed_profile_answer_moves_ratings_once(database: Path) -> None:
    survey = load_survey()
    store = await Store.open(database)
    try:
        user = await users.ensure_user(store, 1, 1)
        await users.record_consent(store, user.id, True, CONSENT_VERSION)
        response = await responses.start_response(
            store, user.id, survey.id, survey.version, survey.content_hash, None,
            {"group": "women"},
        )  # fmt: skip
        await responses.save_rating(store, response.id, "1.1.1", "now", 1, 3, False)
        await responses.save_profile(store, response.id, "group", "youth")
    finally:
        await store.close()
    with analytics.snapshot(database) as db:
        cells = analytics.rating_cells(db, survey.id, {})
    assert [(c.group, c.rated, c.total) for c in cells] == [("youth", 1, 3)]
    same(database, survey.id, "")


async def test_two_invitations_of_one_partner_are_one_partner(database: Path) -> None:
    # Two codes with one label: the publication knows one partner, its ratings summed.
    survey = load_survey()
    store = await Store.open(database)
    try:
        codes = [(await create(store, InviteRequest(label="Hội Phụ nữ"), None)).code for _ in "ab"]
        for n, code in enumerate(codes):
            user = await users.ensure_user(store, 800 + n, 800 + n)
            await users.record_consent(store, user.id, True, CONSENT_VERSION)
            response = await responses.start_response(
                store, user.id, survey.id, survey.version, survey.content_hash, code,
                {"group": "women", "region": "north"},
            )  # fmt: skip
            await responses.save_rating(store, response.id, "1.1.1", "now", 1, n + 2, False)
    finally:
        await store.close()
    with analytics.snapshot(database) as db:
        sums = stored.cell_sums(db, survey.id, "")
    assert [(s.partner, s.rated, s.total) for s in sums] == [("Hội Phụ nữ", 2, 5)]
    same(database, survey.id, "")
