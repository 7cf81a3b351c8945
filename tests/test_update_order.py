"""One person's updates are handled in order; different people's side by side."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.updates import PerUserUpdateProcessor


def update_from(user_id: int, update_id: int) -> Update:
    person = {"id": user_id, "is_bot": False, "first_name": "P"}
    message = {
        "message_id": update_id,
        "date": 0,
        "chat": {"id": user_id, "type": "private"},
        "from": person,
        "text": "hi",
    }
    update = Update.de_json({"update_id": update_id, "message": message}, None)
    assert update is not None
    return update


async def test_same_person_in_order_others_concurrently() -> None:
    processor = PerUserUpdateProcessor(16)
    events: list[str] = []

    async def handle(name: str, delay: float) -> None:
        events.append(f"start {name}")
        await asyncio.sleep(delay)
        events.append(f"end {name}")

    async with processor:
        await asyncio.gather(
            processor.process_update(update_from(1, 1), handle("a1", 0.05)),
            processor.process_update(update_from(1, 2), handle("a2", 0.0)),
            processor.process_update(update_from(2, 3), handle("b1", 0.0)),
        )
    # a2 waits for a1 to finish; b1 does not wait for anyone.
    assert events.index("end a1") < events.index("start a2")
    assert events.index("end b1") < events.index("end a1")
    assert processor._locks == {}  # nobody's lock is kept once they are idle
