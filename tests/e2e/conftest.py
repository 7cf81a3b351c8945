"""Fixtures: a local Bot API server (own thread), a control client, the bot as a process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from localbotapi import ControlClient, LocalBotApiServer
from survey.model import Survey, load_survey
from tests import postgres
from tests.e2e.driver import TOKEN, BotProcess
from tests.e2e.webhook_driver import ServeProcess, free_port, serve_environment


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


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=postgres.needs_server)])
def webhook_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Path | postgres.TestURL]:
    """Where ``serve``'s workers keep everything: a SQLite file, or a fresh schema on
    the PostgreSQL server of tests/postgres.py (a test may ask for one backend with
    ``@pytest.mark.parametrize("webhook_database", ["postgresql"], indirect=True)``)."""
    if request.param == "sqlite":
        yield tmp_path / "scorecard.sqlite3"
        return
    if not postgres.SERVER:
        pytest.skip("no PostgreSQL server: SCORECARD_TEST_POSTGRES is not set (.ci/postgres)")
    with postgres.fresh_schema(tmp_path) as url:
        yield url


@pytest.fixture
def serve(
    local_server: LocalBotApiServer, webhook_database: Path | postgres.TestURL, tmp_path: Path
) -> Iterator[ServeProcess]:
    """``scorecard-bot serve --workers 3`` on ``webhook_database``, not started yet."""
    port = free_port()
    process = ServeProcess(
        local_server, webhook_database, tmp_path / "serve.log", extra_env=serve_environment(port)
    )
    process.port = port
    try:
        yield process
    finally:
        process.stop()
