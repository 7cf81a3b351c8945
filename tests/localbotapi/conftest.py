"""Fixtures for the local Bot API tests: one fresh server per test, in the test's loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram

from localbotapi import ControlClient, LocalBotApiServer, SimulatedUser

TOKEN = "123456789:AAHlocalbotapiTESTtoken_-xyz"


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    async with LocalBotApiServer(token=TOKEN, webhook_retry_delay=0.05) as running:
        yield running


@pytest.fixture
async def control(server: LocalBotApiServer) -> AsyncIterator[ControlClient]:
    async with ControlClient(server.control_url) as client:
        yield client


@pytest.fixture
async def bot(server: LocalBotApiServer) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=server.base_url, base_file_url=server.base_file_url
    ) as instance:
        yield instance


@pytest.fixture
async def user(control: ControlClient) -> SimulatedUser:
    return await control.create_user("Lan", username="lan_hanoi", language_code="vi")
