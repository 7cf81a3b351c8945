"""A warm bot's digests (issue 19, item 6): an unchanged round is read and drawn once,
and any change to it shows in the very next digest.

The round's change mark (migration 20) is what a warm bot trusts: every event
below must move it, and a digest built through the bot's cache after it must be
the digest a fresh process would build.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conversations.invitations import InviteRequest, create
from conversations.services import CONSENT_VERSION
from reporting.digest import charts
from reporting.digest.build import Digest, build_digest
from reporting.publication import PublicationCache
from storage import analytics, responses, rounds, users, versions
from storage import publication as stored
from storage.store import Store
from survey.model import load_survey
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
END = datetime.now(UTC) + timedelta(minutes=1)


def digest(h: Harness, cache: PublicationCache | None, end: datetime = END) -> Digest:
    return build_digest(
        h.settings.storage.database, h.services.survey, {}, end - timedelta(days=7), end,
        "en", ZONE, k=2, publications=cache,
    )  # fmt: skip


def shown(result: Digest) -> tuple[object, ...]:
    """What the coordinator sees: the text, the charts and every table of the workbook."""
    analysis = result.analysis
    return (
        result.text, result.charts, analysis.goal_table.to_csv(),
        analysis.indicator_table.to_csv(), analysis.breakdown_table.to_csv(), analysis.progress,
        analysis.comments, analysis.versions, analysis.partial_items, analysis.quality,
        analysis.previous_round,
    )  # fmt: skip


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often a digest reads a round's people, sums, responses, comments, and draws."""
    counts: dict[str, int] = {}

    def counting(module: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            counts[name] = counts.get(name, 0) + 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    for module, name in (
        (stored, "people"), (stored, "cell_sums"), (analytics, "progress"),
        (analytics, "comments"), (versions, "versions_in_use"), (charts, "goals_chart"),
        (charts, "heat_map"),
    ):  # fmt: skip
        counting(module, name)
    charts.forget_drawn()
    return counts


async def test_an_unchanged_round_is_read_and_drawn_once(
    digest_harness: Harness, reads: dict[str, int]
) -> None:
    cache = PublicationCache()
    first = digest(digest_harness, cache)
    assert reads["people"] and reads["progress"] and reads["goals_chart"]
    built = cache.builds  # the community's publication and the providers'
    reads.clear()
    # Unchanged data: the same digest, and not one read of the round's people, sums,
    # responses or comments, nor a chart drawn.
    again = digest(digest_harness, cache)
    assert reads == {}
    assert shown(again) == shown(first)
    assert cache.marked_hits == built and cache.builds == built
    # A window a minute later holds no other answer: the same numbers, still unread.
    later = digest(digest_harness, cache, END + timedelta(minutes=1))
    assert reads == {}
    assert shown(later)[1:] == shown(first)[1:]
    # And what a fresh process shows.
    charts.forget_drawn()
    assert shown(digest(digest_harness, None)) == shown(first)


async def test_a_window_holding_other_answers_is_counted_again(
    digest_harness: Harness, reads: dict[str, int]
) -> None:
    cache = PublicationCache()
    digest(digest_harness, cache)
    reads.clear()
    # A window ending before every answer: nothing in it, read for what it is.
    earlier = digest(digest_harness, cache, END - timedelta(days=30))
    assert earlier.analysis.progress.started_in_window == 0
    assert reads["progress"] == 1
    assert shown(earlier) == shown(digest(digest_harness, None, END - timedelta(days=30)))


async def test_a_new_answer_and_a_deletion_show_in_the_next_digest(
    digest_harness: Harness, reads: dict[str, int]
) -> None:
    h, cache = digest_harness, PublicationCache()
    before = digest(h, cache)
    await add_respondent(
        h.services.store, h.services.survey,
        Respondent(830001, {"group": "youth", "region": "north"}, {("1.1.1", "now"): 5}),
    )  # fmt: skip
    added = digest(h, cache)
    assert added.analysis.progress.started == before.analysis.progress.started + 1  # type: ignore[operator]
    assert added.text != before.text
    assert shown(added) == shown(digest(h, None))
    # The person deletes their data: the digest is the one before they answered.
    user = await users.get_user(h.services.store, 830001)
    assert user is not None
    await users.delete_user(h.services.store, user.id)
    deleted = digest(h, cache)
    assert deleted.analysis.progress.started == before.analysis.progress.started
    assert shown(deleted) == shown(before) == shown(digest(h, None))


def mark(database: Path, survey_id: str, round_id: str) -> object:
    with analytics.snapshot(database) as db:
        return stored.round_mark(db, survey_id, round_id)


async def test_every_change_a_digest_reads_moves_the_round_mark(database: Path) -> None:
    survey = load_survey()
    store = await Store.open(database)
    try:
        await rounds.open_round(store, "2026", "2026", (2026, 2030), survey.content_hash)
        partner = await create(store, InviteRequest(label="Hội Phụ nữ"), None)
        user = await users.ensure_user(store, 900, 900)
        await users.record_consent(store, user.id, True, CONSENT_VERSION)
        response = await responses.start_response(
            store, user.id, survey.id, survey.version, survey.content_hash, partner.code,
            {"group": "women"},
        )  # fmt: skip
        marks = [mark(database, survey.id, "2026")]
        assert marks[0] is not None

        async def moved(change: str) -> None:
            now = mark(database, survey.id, "2026")
            assert now is not None and now not in marks, f"{change} left the mark as it was"
            marks.append(now)

        await responses.save_rating(store, response.id, "1.1.1", "now", 1, 4, False)
        await moved("a rating")
        await responses.save_rating(store, response.id, "1.1.1", "now", 1, 2, False)
        await moved("a changed rating")
        await responses.save_profile(store, response.id, "region", "north")
        await moved("a profile answer")
        await responses.save_text(store, response.id, "section:sdg1", "a comment")
        await moved("a comment")
        await responses.submit(store, response.id)
        await moved("a submission")
        await store.execute("UPDATE responses SET mode = 'interview' WHERE id = ?", (response.id,))
        await moved("a change of mode")
        await store.execute(
            "UPDATE invitations SET label = 'Other' WHERE code = ?", (partner.code,)
        )
        await moved("a relabelled invitation")
        await users.record_consent(store, user.id, False, CONSENT_VERSION)
        await moved("a withdrawn consent")
        await users.record_consent(store, user.id, True, CONSENT_VERSION)
        await moved("a consent given again")
        # The live message's bookkeeping is no change to what a digest shows.
        await store.execute("UPDATE responses SET shown_step = 'x' WHERE id = ?", (response.id,))
        assert mark(database, survey.id, "2026") == marks[-1]
        # The response moves round: both rounds' marks move.
        await rounds.close_round(store, "2026")
        await rounds.open_round(store, "2027", "2027", (2027, 2031), survey.content_hash)
        other = mark(database, survey.id, "2027")
        await store.execute("UPDATE responses SET round_id = '2027' WHERE id = ?", (response.id,))
        await moved("a response moved out of the round")
        assert mark(database, survey.id, "2027") not in (None, other)
        await store.execute("UPDATE responses SET round_id = '2026' WHERE id = ?", (response.id,))
        await moved("a response moved into the round")
        await users.delete_user(store, user.id)
        await moved("a deleted respondent")
    finally:
        await store.close()


async def test_a_response_on_another_survey_version_shows_in_the_next_digest(
    digest_harness: Harness,
) -> None:
    h, cache = digest_harness, PublicationCache()
    store, survey = h.services.store, h.services.survey
    before = digest(h, cache)
    user = await users.ensure_user(store, 840001, 840001)
    await users.record_consent(store, user.id, True, CONSENT_VERSION)
    response = await responses.start_response(
        store, user.id, survey.id, "2025.9", "0" * 64, None, {"group": "youth"}
    )
    await responses.submit(store, response.id)
    after = digest(h, cache)
    assert "2025.9" in after.analysis.versions and "2025.9" not in before.analysis.versions
    assert shown(after) == shown(digest(h, None))
