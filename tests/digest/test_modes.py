"""Digests split by mode (``--mode``) and group sessions shown apart (issue 11)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from cli.main import main
from storage import sessions
from storage.sessions import Score
from tests.auxil.harness import Harness
from tests.digest.test_cli import config


async def test_mode_filter_and_a_small_sessions_votes_hidden(
    digest_harness: Harness, tmp_path: Path
) -> None:
    store, survey = digest_harness.services.store, digest_harness.services.survey
    started = (await store.fetchone("SELECT COUNT(*) FROM responses"))[0]
    # Two respondents were interviewed (the rest answered in the chat).
    await store.execute(
        "UPDATE responses SET mode = 'interview' WHERE id IN"
        " (SELECT id FROM responses ORDER BY id LIMIT 2)"
    )
    # A group session of three people: votes that nearly name the voters.
    session = await sessions.start_session(
        store, 4242, (survey.id, survey.version, survey.content_hash), "en"
    )
    for name, value in (("grp", "youth"), ("region", "north"), ("area", "rural"),
                        ("people", 3), ("women", 2), ("men", 1)):  # fmt: skip
        await sessions.save_field(store, session.id, name, value)
    await sessions.save_score(
        store, session.id, "1.1.1", "now", 1, Score("votes", None, (0, 1, 2, 0, 0, 0))
    )
    await sessions.save_score(
        store, session.id, "1.1.1", "forecast", 1, Score("consensus", 4, None)
    )
    await sessions.submit(store, session.id, 4242)

    path = config(tmp_path, digest_harness.settings.storage.database)
    for mode, count in (("interview", 2), ("self", started - 2)):
        out = tmp_path / mode
        # Both views are refused (below): the files say why, and so does the exit code.
        assert main(["--config", str(path), "digest", "--mode", mode, "--language", "en",
                     "--out", str(out)]) == 1  # fmt: skip
        text = (out / "digest.html").read_text(encoding="utf-8")
        if count < 5:  # two interviewees: a scope too small to show anything about them
            assert "Fewer than 5 people" in text and "Started:" not in text
        else:
            # Six in the chat, but everything minus them is the two interviewees:
            # the filter is refused, not shown (it would give them away).
            assert count == 6 and "This filter is refused" in text
            assert "Started:" not in text and "SDG 1: 3" not in text
        assert "Group sessions (not in the means above)" in text  # sessions are always apart
    everything = tmp_path / "all"
    assert (
        main(["--config", str(path), "digest", "--language", "en", "--out", str(everything)]) == 0
    )
    text = (everything / "digest.html").read_text(encoding="utf-8")
    assert f"Started: {started} " in text
    # Two interviewees are too few, and the six in the chat are everyone minus them.
    assert (
        "By mode (started): facilitated interviews &lt;5; by themselves in the chat &lt;5" in text
    )

    book = load_workbook(io.BytesIO((everything / "digest.xlsx").read_bytes()))
    rows = list(book["Session scores"].iter_rows(min_row=2, values_only=True))
    now, forecast = rows
    assert now[5:13] == ("votes", "<5", "<5", "<5", "<5", "<5", "<5", "<5")
    # No raw ids in any workbook language (issue 17): every cell of every sheet.
    raw = {"group", "region", "area", "now", "forecast", "recommendations", "priorities",
           "self", "interview", "paper", "skip", "consensus", "votes"}  # fmt: skip
    for language, words in (("en", {"consensus", "votes"}), ("vi", set())):
        out = tmp_path / f"book-{language}"
        main(["--config", str(path), "digest", "--language", language, "--out", str(out)])
        sheets = load_workbook(io.BytesIO((out / "digest.xlsx").read_bytes())).worksheets
        cells = {v for s in sheets for r in s.iter_rows(values_only=True) for v in r}
        assert not (cells & (raw - words)), (language, cells & raw)
    assert forecast[5:7] == ("consensus", 4)
    # The session's scores are not in the individual means.
    header = next(book["Indicators"].iter_rows(max_row=1, values_only=True))
    first = next(book["Indicators"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert dict(zip(header, first, strict=True))["Mean now"] == 2.43  # 17 / 7, as without it
    summary = dict(book["Summary"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert summary["Started: facilitated interviews"] == "<5"
    assert summary["Mode"] == "all"
    assert not any("4242" in str(r) for s in book.worksheets for r in s.iter_rows(values_only=True))
