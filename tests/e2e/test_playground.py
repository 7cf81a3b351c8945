"""``scorecard-bot playground``: a local Telegram and the bot in one command, no token."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import Respondent, live_screen, step_of
from tests.e2e.playground import Playground


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    running = Playground(tmp_path, "--database", str(tmp_path / "preview.sqlite3"))
    yield running
    running.stop()


async def test_the_playground_serves_the_survey_without_a_token(
    playground: Playground, survey: Survey, tmp_path: Path
) -> None:
    async with ControlClient(playground.control_url) as control:
        person = Respondent(await control.create_user("Lan", language_code="vi"), survey, "vi")
        await person.begin()
        screen = await person.answer(until=lambda step: step == "r0f")
        assert step_of(screen) == "r0f"
        assert survey.item_by_code["1.1.1"][1].label("vi") in (screen.text if screen else "")
    assert (tmp_path / "preview.sqlite3").exists()  # --database is where answers go
    assert playground.stop() == 0
    assert "Traceback" not in playground.errors()


def test_the_playground_page_is_served(playground: Playground) -> None:
    import urllib.request

    with urllib.request.urlopen(playground.url) as page:
        assert "playground.js" in page.read().decode("utf-8")
    assert any("sdg-scorecard-vn" in line for line in playground.printed)


def test_a_busy_port_is_one_clear_line(playground: Playground, tmp_path: Path) -> None:
    import subprocess
    import sys

    port = playground.url.rsplit(":", 1)[1].strip("/")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "playground", "--port", port, "--no-browser"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "scorecard-bot: configuration error: --port: cannot listen on 127.0.0.1:" + port
        )
    )


async def test_typed_answers_count_after_a_restart_on_the_same_database(
    tmp_path: Path, survey: Survey
) -> None:
    """A new local server must not number messages from 1 again: the bot's duplicate
    check (``last_message_id``) would take "3 4" typed after a restart as answered."""
    database = tmp_path / "kept.sqlite3"
    first = Playground(tmp_path, "--database", str(database))
    try:
        async with ControlClient(first.control_url) as control:
            person = Respondent(await control.create_user("Lan", language_code="vi"), survey, "vi")
            await person.begin()
            screen = await person.answer(until=lambda step: step.startswith("r"))
            before = step_of(screen)
            after = await person.type("3 4")  # both rows of the first statement, typed
            assert step_of(after) != before
            ids = [m.message_id for m in await person.user.chat()]
    finally:
        assert first.stop() == 0
    second = Playground(tmp_path, "--database", str(database))
    try:
        async with ControlClient(second.control_url) as control:
            # The same person (the page's first user has the same id), another server.
            user = await control.create_user("Lan", language_code="vi")
            person = Respondent(user, survey, "vi")
            await user.send_command("/resume")
            screen = await person.wait_for(live_screen)
            before = step_of(screen)
            after = await person.type("2 5")  # answered, not dropped as a duplicate
            assert step_of(after) != before
            assert min(m.message_id for m in await user.chat()) > max(ids)
            # Ctrl-C while the chat page waits for news (its long poll): a clean stop.
            waiting = asyncio.create_task(control.wait_for_change(10**9, timeout=20))
            await asyncio.sleep(0.5)
            assert second.stop() == 0
            waiting.cancel()
    finally:
        second.stop()
    assert "Task was destroyed" not in second.errors()
    assert "Traceback" not in second.errors()
