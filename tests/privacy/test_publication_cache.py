"""The bot's publication cache: a round changed by one answer is protected anew.

A digest built through ``PublicationCache`` must show what a fresh build
shows. The designed dataset's interviewee (the one person an attacker wants)
moves region: the counts and sums of the round barely change, but which rows
are small does, so a publication served from before the move would publish
rows built for other people.
"""

from __future__ import annotations

from reporting import publication
from storage import responses
from storage.analytics import snapshot
from storage.store import Store
from tests.privacy.conftest import Designed, K


def _load(designed: Designed, cache: publication.PublicationCache | None) -> publication.Publication:
    with snapshot(designed.database) as db, publication.reusing(cache):
        return publication.load(db, designed.survey.id, "2027", K)


def _state(published: publication.Publication) -> tuple[object, ...]:
    # Dicts compare whatever their order: every view, row and hidden mean, with why.
    return (
        published.cells, published.views, published.rows, published.completed,
        published.hidden_means,
    )  # fmt: skip


async def test_an_unchanged_round_is_built_once(designed: Designed) -> None:
    cache = publication.PublicationCache()
    first = _load(designed, cache)
    assert _load(designed, cache) is first
    assert (cache.builds, cache.hits) == (1, 1)
    assert _state(first) == _state(_load(designed, None))


async def test_a_moved_respondent_rebuilds_the_round(designed: Designed) -> None:
    cache = publication.PublicationCache()
    before = _load(designed, cache)
    store = await Store.open(designed.database)
    try:
        await responses.save_profile(store, designed.target, "region", "north")
    finally:
        await store.close()
    after = _load(designed, cache)
    fresh = _load(designed, None)
    assert after is not before and cache.builds == 2
    assert _state(after) == _state(fresh) != _state(before)
