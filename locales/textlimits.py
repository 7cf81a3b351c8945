"""Lengths as Telegram counts them: in UTF-16 code units, not Python characters.

An emoji outside the Basic Multilingual Plane is one Python character but two
UTF-16 code units, so a limit checked with ``len`` lets through text that
Telegram then refuses ("message is too long").
"""

from __future__ import annotations

MESSAGE_LIMIT = 4096  # a text message, in UTF-16 code units, markup included


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def utf16_cut(text: str, limit: int) -> tuple[str, str]:
    """Split ``text`` so that the first part is at most ``limit`` UTF-16 units long,
    never inside a surrogate pair."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > limit:
            return text[:index], text[index:]
    return text, ""
