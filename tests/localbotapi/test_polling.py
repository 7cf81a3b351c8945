"""getUpdates: offset confirmation, real long polling, allowed_updates, conflicts."""

from __future__ import annotations

import asyncio
import time

import pytest
import telegram
from telegram.error import Conflict

from localbotapi import SimulatedUser


async def test_long_poll_waits_for_the_timeout(bot: telegram.Bot, user: SimulatedUser) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2.0


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: telegram.Bot, user: SimulatedUser
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send_text("có ai không")
    [update] = await asyncio.wait_for(poll, 2)
    assert update.message.text == "có ai không"
    assert time.monotonic() - started < 1.5


async def test_offset_confirms_and_limit_caps(bot: telegram.Bot, user: SimulatedUser) -> None:
    for text in ("1", "2", "3"):
        await user.send_text(text)
    first_two = await bot.get_updates(limit=2)
    assert [u.message.text for u in first_two] == ["1", "2"]
    # Not confirmed yet: asking again returns the same updates.
    assert [u.update_id for u in await bot.get_updates()] == [
        first_two[0].update_id,
        first_two[1].update_id,
        first_two[1].update_id + 1,
    ]
    rest = await bot.get_updates(offset=first_two[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["3"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == ()
    await user.send_text("4")
    await user.send_text("5")
    assert [u.message.text for u in await bot.get_updates(offset=-1)] == ["5"]


async def test_allowed_updates_filters_and_persists(bot: telegram.Bot, user: SimulatedUser) -> None:
    await user.send_text("text")
    await user.block()
    [update] = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert update.my_chat_member is not None
    await user.unblock()
    await user.send_text("ignored")
    # The setting persists when allowed_updates is omitted.
    kinds = [
        u.my_chat_member is not None for u in await bot.get_updates(offset=update.update_id + 1)
    ]
    assert kinds == [True]


async def test_duplicate_is_redelivered_once_then_offset_works(
    bot: telegram.Bot, user: SimulatedUser, server
) -> None:
    from localbotapi import ControlClient

    async with ControlClient(server.control_url) as control:
        await control.duplicate_next_update()
    await user.send_text("a")
    [first] = await bot.get_updates()
    [again] = await bot.get_updates(offset=first.update_id + 1)
    assert again.update_id == first.update_id
    await user.send_text("b")
    [following] = await bot.get_updates(offset=first.update_id + 1)
    assert following.message.text == "b"


async def test_second_poller_terminates_the_first(bot: telegram.Bot, server) -> None:
    async with telegram.Bot(bot.token, base_url=server.base_url) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await asyncio.wait_for(first, 2)
        assert await second == ()
