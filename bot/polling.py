"""Long polling that one malformed update cannot stop.

python-telegram-bot parses a whole ``getUpdates`` batch at once; if one update
fails to parse (seen with a poll lacking a field the library requires), the
batch fails, the offset never moves and the same batch is fetched again
forever: nobody is served, and the library logs the raw batch, names and ids
included, on every try.

:class:`SkipUnparseableUpdates` wraps the request object used for
``getUpdates`` only. It parses each update of a batch on its own and replaces
one that fails with a bare ``{"update_id": N}``: the library then advances the
offset past it as usual, no handler matches an update with nothing in it, and
everyone else's updates go on. The skipped update is logged once, by number
and error type only.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


def sanitise_updates(body: bytes) -> bytes:
    """``body`` with every update that does not parse reduced to its ``update_id``."""
    try:
        payload = json.loads(body)
    except ValueError:
        return body  # not JSON: the library reports it as it always does
    if not isinstance(payload, dict) or not isinstance(payload.get("result"), list):
        return body
    changed = False
    result: list[Any] = []
    for item in payload["result"]:
        try:
            Update.de_json(item, None)
        except Exception as error:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                raise  # without a number the offset cannot move past it anyway
            kinds = sorted(key for key in item if key != "update_id")
            log.warning(
                "skipped update %d (%s) that could not be parsed: %s",
                update_id,
                ", ".join(kinds) or "empty",
                type(error).__name__,
            )
            item = {"update_id": update_id}
            changed = True
        result.append(item)
    if not changed:
        return body
    payload["result"] = result
    return json.dumps(payload).encode()


class SkipUnparseableUpdates(BaseRequest):
    """A ``BaseRequest`` for ``getUpdates`` that drops updates the library cannot parse."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

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
        status, body = await self.inner.do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status == 200 and url.rsplit("/", 1)[-1] == "getUpdates":
            body = sanitise_updates(body)
        return status, body
