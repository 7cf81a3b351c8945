"""Deliver a broadcast within Telegram's limits, resumably and at most once per person.

The pacer starts one send every ``1 / rate`` seconds (sends overlap, so network
latency does not lower the rate); each broadcast reaches a chat once, which
keeps the one-message-per-second-per-chat limit. A 429 pauses every new send
for ``retry_after`` and puts that recipient back in line: Telegram promises a
429 delivered nothing. Every other outcome is recorded per recipient
(see :mod:`storage.broadcasts` for why a crash mid-call leaves "uncertain").
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from locales.i18n import translator
from storage import broadcasts, users
from storage.broadcasts import Broadcast, Recipient
from storage.store import Store

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 200
Progress = Callable[[dict[str, int]], Awaitable[None]]


@dataclass(slots=True)
class Pacer:
    """Starts spaced ``1 / rate`` apart, pausable for a 429.

    A late wake-up may catch up one interval, but never past ``int(rate)``
    starts in any one-second window, so event-loop jitter cannot add up to a
    burst over Telegram's limit.
    """

    rate: float
    next_at: float = 0.0
    paused_until: float = 0.0
    recent: deque[float] = field(default_factory=deque)

    async def wait_turn(self) -> None:
        loop = asyncio.get_running_loop()
        window = max(1, int(self.rate))
        while True:
            now = loop.time()
            start = max(self.next_at, self.paused_until)
            if len(self.recent) >= window:
                start = max(start, self.recent[0] + 1.0)
            if start <= now:
                self.next_at = max(self.next_at, now - 1 / self.rate) + 1 / self.rate
                self.recent.append(now)
                while len(self.recent) > window:
                    self.recent.popleft()
                return
            await asyncio.sleep(start - now)

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self.paused_until = max(self.paused_until, loop.time() + seconds)


def retry_seconds(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def markup(broadcast: Broadcast, recipient: Recipient, bot_username: str | None) -> object:
    if not broadcast.invitation_code or not bot_username:
        return None
    _ = translator(recipient.language)
    link = f"https://t.me/{bot_username}?start={broadcast.invitation_code}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(_("Take part"), url=link)]])


async def _send_one(
    store: Store,
    bot: Bot,
    broadcast: Broadcast,
    recipient: Recipient,
    pacer: Pacer,
    bot_username: str | None,
) -> None:
    status, reason = "sent", None
    try:
        await bot.send_message(
            recipient.chat_id,
            broadcast.text,
            reply_markup=markup(broadcast, recipient, bot_username),  # type: ignore[arg-type]
        )
    except RetryAfter as error:
        pacer.pause(retry_seconds(error))
        status, reason = "pending", None  # nothing was delivered: send it again later
    except Forbidden as error:
        status, reason = "blocked", error.message
        await users.mark_blocked(store, recipient.chat_id, True)
    except BadRequest as error:
        status, reason = "failed", error.message
    except NetworkError as error:
        # A timeout or a dropped connection may come after Telegram delivered.
        status, reason = "uncertain", f"{type(error).__name__}: {error.message}"
    except TelegramError as error:
        status, reason = "failed", error.message
    await broadcasts.finish_recipient(store, broadcast.id, recipient.chat_id, status, reason)


async def deliver(
    store: Store,
    bot: Bot,
    broadcast_id: int,
    rate: float,
    progress: Progress | None = None,
    progress_every: float = 10.0,
    bot_username: str | None = None,
    pacer: Pacer | None = None,
) -> dict[str, int]:
    """Send a running broadcast to every pending recipient; return the final counts.

    Pass one shared ``pacer`` when several broadcasts (or reminders) may run
    at once, so that together they stay within ``rate``.
    """
    broadcast = await broadcasts.get(store, broadcast_id)
    if broadcast is None or broadcast.status != "running":
        raise ValueError(f"broadcast {broadcast_id} is not running")
    pacer = pacer or Pacer(rate)
    loop = asyncio.get_running_loop()
    in_flight: set[asyncio.Task[None]] = set()
    last_report = loop.time()
    while True:
        await pacer.wait_turn()
        recipient = await broadcasts.claim_next(store, broadcast_id)
        if recipient is None:
            if not in_flight:
                break
            # A 429 may put someone back in line: wait for the sends out there.
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            continue
        task = asyncio.create_task(_send_one(store, bot, broadcast, recipient, pacer, bot_username))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        if len(in_flight) >= MAX_IN_FLIGHT:
            await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        if progress is not None and loop.time() - last_report >= progress_every:
            last_report = loop.time()
            await progress(await broadcasts.counts(store, broadcast_id))
    await broadcasts.set_status(store, broadcast_id, "done", expect="running")
    return await broadcasts.counts(store, broadcast_id)
