"""Lengths as Telegram counts them: in UTF-16 code units, not Python characters.

An emoji outside the Basic Multilingual Plane is one Python character but two
UTF-16 code units, so a limit checked with ``len`` lets through text that
Telegram then refuses ("message is too long").
"""

from __future__ import annotations

import unicodedata

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


# Characters that show nothing: format characters (Unicode category Cf, e.g. the
# zero-width space U+200B and joiners), separators, and fillers that fonts draw
# blank. A message made only of these is empty to the person who reads it.
_BLANK_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_KEPT_CONTROLS = frozenset("\n\t")


def clean_typed(text: str) -> str:
    """Typed text as it is stored: C0 and C1 controls (NUL included) removed but for
    newline and tab, outer whitespace stripped, and "" when nothing visible is left."""
    kept = "".join(
        c for c in text if c in _KEPT_CONTROLS or unicodedata.category(c) != "Cc"
    ).strip()
    if all(
        c.isspace() or c in _BLANK_FILLERS or unicodedata.category(c) in {"Cf", "Zs", "Zl", "Zp"}
        for c in kept
    ):
        return ""
    return kept
