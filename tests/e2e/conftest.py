"""Fixtures: a local Bot API server (own thread), a control client, the bot as a process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from localbotapi import ControlClient, LocalBotApiServer
from survey.model import Survey, load_survey
from tests.e2e.driver import TOKEN, BotProcess


@pytest.fixture
def local_server() -> Iterator[LocalBotApiServer]:
    server = LocalBotApiServer(token=TOKEN).run_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


@pytest.fixture
async def control(local_server: LocalBotApiServer) -> AsyncIterator[ControlClient]:
    async with ControlClient(local_server.control_url) as client:
        yield client


@pytest.fixture(scope="session")
def survey() -> Survey:
    return load_survey(None)


@pytest.fixture
def bot_process(local_server: LocalBotApiServer, tmp_path: Path) -> Iterator[BotProcess]:
    process = BotProcess(local_server, tmp_path / "scorecard.sqlite3", tmp_path / "bot.log")
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
async def bot(bot_process: BotProcess, control: ControlClient) -> BotProcess:
    """The bot, started and polling."""
    await bot_process.start_ready(control)
    return bot_process
