"""``scorecard-bot playground``: a local Telegram and the bot in one command, no token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from localbotapi import ControlClient
from survey.model import Survey
from tests.e2e.driver import Respondent, step_of
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
