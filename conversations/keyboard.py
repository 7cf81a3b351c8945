"""Buttons as the engine describes them; ``bot.presenters`` turns them into Telegram's.

The engine knows no Telegram (``import-linter`` checks it): a screen's keyboard
is rows of :class:`Button`, immutable and hashable, so the Telegram markup
built from one can be cached (the rating keyboards repeat on every tap).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Button:
    """A button that sends ``callback_data`` back when pressed, or opens ``url``."""

    text: str
    callback_data: str | None = None
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


def layout(rows: Iterable[Iterable[Button]]) -> Keyboard:
    """Rows of buttons, top to bottom."""
    return tuple(tuple(row) for row in rows)
