"""The bot's update queue: getUpdates offset semantics, real long polling, duplicates."""

from __future__ import annotations

import asyncio
from typing import Any

from .errors import POLL_TERMINATED, conflict
from .model import PendingUpdate

# Telegram's default when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """A version counter whose waiters wake as soon as it changes."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def fire(self) -> None:
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next change; ``False`` on timeout."""
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_past(self, version: int, timeout: float) -> int:
        """Wait until ``self.version > version`` or the timeout passes; return the version."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.version <= version:
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.wait(remaining):
                break
        return self.version


def is_allowed(kind: str, allowed: list[str] | None) -> bool:
    if not allowed:
        return kind not in DEFAULT_EXCLUDED
    return kind in allowed


class UpdateQueue:
    """Pending updates in ``update_id`` order, confirmed by getUpdates ``offset``."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.pending: list[PendingUpdate] = []
        self.next_update_id = first_update_id
        self.allowed_updates: list[str] | None = None
        self.duplicate_next = 0
        self.history: list[dict[str, Any]] = []
        self._redeliver: list[PendingUpdate] = []
        self._poll_generation = 0
        self.signal = Signal()

    def push(self, kind: str, payload: dict[str, Any]) -> PendingUpdate:
        update = PendingUpdate(self.next_update_id, kind, payload)
        self.next_update_id += 1
        if self.duplicate_next > 0:
            self.duplicate_next -= 1
            update.duplicate = True
        self.pending.append(update)
        self.history.append(update.to_api())
        self.signal.fire()
        return update

    def confirm(self, offset: int | None) -> None:
        """Forget updates below a positive offset; keep the last ``-offset`` for a negative one."""
        if not offset:
            return
        if offset > 0:
            self.pending = [u for u in self.pending if u.update_id >= offset]
        else:
            self.pending = self.pending[offset:]

    def drop_pending(self) -> None:
        self.pending.clear()
        self._redeliver.clear()

    def collect(self, limit: int, allowed: list[str] | None) -> list[PendingUpdate]:
        """Updates to hand out now; an update marked ``duplicate`` will be handed out once more."""
        batch = [u for u in self._redeliver if u not in self.pending]
        self._redeliver = [u for u in self._redeliver if u in self.pending]
        for update in list(self.pending):
            if len(batch) >= limit:
                break
            if not is_allowed(update.kind, allowed):
                self.pending.remove(update)
                continue
            batch.append(update)
            if update.duplicate:
                update.duplicate = False
                self._redeliver.append(update)
        return batch[:limit]

    @property
    def has_redelivery(self) -> bool:
        return bool(self._redeliver)

    async def get_updates(
        self, offset: int | None, limit: int, timeout: float, allowed_updates: list[str] | None
    ) -> list[dict[str, Any]]:
        """getUpdates: confirm, then long-poll until something is ready or ``timeout`` passes."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.signal.fire()  # an older long poll must now end with 409 Conflict
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates
        self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(timeout, 0)
        while True:
            if generation != self._poll_generation:
                raise conflict(POLL_TERMINATED)
            batch = self.collect(limit, self.allowed_updates)
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return [u.to_api() for u in batch]
            await self.signal.wait(remaining)

    def end_polls(self) -> None:
        """Make any running long poll return (used when a webhook is set)."""
        self._poll_generation += 1
        self.signal.fire()
