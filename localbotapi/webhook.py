"""Delivers pending updates by POSTing them to the bot's webhook, one at a time, in order."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .model import PendingUpdate, WebhookConfig, now
from .state import BotState
from .updates import is_allowed

log = logging.getLogger(__name__)
# Executes a Bot API call found in a webhook response body, like Telegram does.
ReplyExecutor = Callable[[str, dict[str, Any]], Awaitable[None]]


class WebhookDelivery:
    def __init__(self, state: BotState, retry_delay: float = 1.0, timeout: float = 10.0) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.execute_reply: ReplyExecutor | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        async with aiohttp.ClientSession() as session:
            while (hook := self.state.webhook) is not None:
                update = self._next(hook)
                if update is None:
                    await self.state.signal.wait(1.0)
                    continue
                if await self._post(session, hook, update):
                    self.state.updates.confirm(update.update_id + 1)
                    if update.duplicate:
                        update.duplicate = False
                        await self._post(session, hook, update)
                    self.state.touch()
                else:
                    await asyncio.sleep(self.retry_delay)

    def _next(self, hook: WebhookConfig) -> PendingUpdate | None:
        for update in list(self.state.updates.pending):
            if is_allowed(update.kind, hook.allowed_updates):
                return update
            self.state.updates.pending.remove(update)
        return None

    async def _post(
        self, session: aiohttp.ClientSession, hook: WebhookConfig, update: PendingUpdate
    ) -> bool:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            async with session.post(
                hook.url,
                data=json.dumps(update.to_api()),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await response.read()
                if not 200 <= response.status < 300:
                    self._fail(
                        hook,
                        f"Wrong response from the webhook: {response.status} {response.reason}",
                    )
                    return False
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._fail(hook, f"Connection failed: {exc.__class__.__name__}")
            return False
        hook.delivered += 1
        await self._run_reply(body)
        return True

    def _fail(self, hook: WebhookConfig, message: str) -> None:
        hook.last_error_date = now()
        hook.last_error_message = message
        log.info("webhook delivery failed: %s", message)

    async def _run_reply(self, body: bytes) -> None:
        if not body or self.execute_reply is None:
            return
        try:
            reply = json.loads(body)
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {k: v for k, v in reply.items() if k != "method"}
            await self.execute_reply(reply["method"], params)
