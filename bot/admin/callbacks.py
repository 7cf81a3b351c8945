"""Outreach callback data: ``o1|...``, apart from the journey's ``1|...`` formats.

Formats (short ASCII, every field checked; clients can forge anything)::

    o1|b|c|<broadcast id>   confirm a previewed broadcast
    o1|b|x|<broadcast id>   cancel it
    o1|r|go                 a reminder's "continue" button
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "o1|"
PATTERN = r"^o1\|"
_BROADCAST = re.compile(r"^o1\|b\|([cx])\|([1-9][0-9]{0,9})$")
CONTINUE = "o1|r|go"


@dataclass(frozen=True, slots=True)
class BroadcastChoice:
    confirm: bool
    broadcast_id: int


def confirm_data(broadcast_id: int) -> str:
    return f"o1|b|c|{broadcast_id}"


def cancel_data(broadcast_id: int) -> str:
    return f"o1|b|x|{broadcast_id}"


def parse_broadcast(data: str | None) -> BroadcastChoice | None:
    """The choice, or None for anything this bot did not produce."""
    match = _BROADCAST.match(data or "")
    if match is None:
        return None
    return BroadcastChoice(match.group(1) == "c", int(match.group(2)))
