"""A small group session's hidden votes cannot be worked back out of its goal score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reporting.digest.analysis import analyse
from reporting.digest.text import render_text
from storage import sessions
from storage.sessions import Score
from storage.store import Store
from tests.privacy.conftest import Designed, K


async def test_goal_scores_leave_out_a_small_sessions_votes(designed: Designed) -> None:
    survey = designed.survey
    store = await Store.open(designed.database)
    try:
        session = await sessions.start_session(
            store, 4242, (survey.id, survey.version, survey.content_hash), "vi"
        )
        for name, value in (("grp", "youth"), ("region", "north"), ("area", "urban"),
                            ("people", 4), ("women", 2), ("men", 2)):  # fmt: skip
            await sessions.save_field(store, session.id, name, value)
        # 1.1.1 by votes of four people (mean 3.0, hidden), 1.2.1 by consensus (4).
        votes = Score("votes", None, (0, 1, 2, 1, 0, 0))
        await sessions.save_score(store, session.id, "1.1.1", "now", 1, votes)
        await sessions.save_score(store, session.id, "1.2.1", "now", 1, Score("consensus", 4, None))
        await sessions.submit(store, session.id, 4242)
    finally:
        await store.close()
    end = datetime.now(UTC) + timedelta(minutes=1)
    analysis = analyse(
        designed.database, survey, {"group": "youth"}, end - timedelta(days=7), end, K
    )
    # With the votes in, SDG 1 would read 3.5 and 2 × 3.5 − 4 = 3.0 would give them back.
    assert analysis.session_goal_means()[(1, "now")] == (4.0, 1)
    text = render_text(analysis, "en", UTC)
    assert "3.5" not in text and "3,5" not in text
