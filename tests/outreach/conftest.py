"""An admin, a few respondents and an offline Telegram that also serves files."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import RequestData

from storage import users
from tests.auxil.harness import Harness, make_settings
from tests.auxil.offline import OfflineTelegram

ADMIN = 9001


class FileTelegram(OfflineTelegram):
    """OfflineTelegram plus getFile and downloads, for uploaded CSV files."""

    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.uploads: list[tuple[str, bytes]] = []  # (method, file bytes) as sent

    def _api_getFile(self, params: dict[str, Any]) -> Any:
        file_id = str(params["file_id"])
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}.csv",
        }

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = DEFAULT_NONE,
        write_timeout: Any = DEFAULT_NONE,
        connect_timeout: Any = DEFAULT_NONE,
        pool_timeout: Any = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/documents/" in url:
            file_id = url.rsplit("/", 1)[-1].removesuffix(".csv")
            return 200, self.files[file_id]
        if request_data is not None and request_data.multipart_data:
            for _name, (_filename, content, *_rest) in request_data.multipart_data.items():
                self.uploads.append((url.rsplit("/", 1)[-1], bytes(content)))
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )


def outreach_settings(database: Path, **outreach: Any) -> Any:
    return make_settings(
        database,
        access={"admins": [ADMIN]},
        outreach={"broadcast_rate": 30, "quiet_hours": "21:00-08:00", **outreach},
    )


@pytest.fixture
async def outreach(database: Path) -> AsyncIterator[Harness]:
    async with Harness(outreach_settings(database), FileTelegram()) as running:
        await english_admin(running)
        yield running


async def english_admin(harness: Harness) -> None:
    """The admin reads English, so the tests can quote the English strings."""
    admin = await users.ensure_user(harness.services.store, ADMIN, ADMIN)
    await users.set_language(harness.services.store, admin.id, "en")


def sent_texts(telegram: OfflineTelegram, chat_id: int) -> list[str]:
    return [
        str(call.params["text"])
        for call in telegram.calls
        if call.method == "sendMessage" and int(call.params["chat_id"]) == chat_id
    ]


def markup_of(params: dict[str, Any]) -> dict[str, Any]:
    markup = params.get("reply_markup") or {}
    return json.loads(markup) if isinstance(markup, str) else markup
