"""UI strings from the gettext catalogs in ``locales/`` (survey text is not here).

Catalogs are compiled from the ``.po`` files in memory at start-up with Babel,
so a translator edits one file and there is no stale ``.mo`` to forget.
In code, ``_ = translator(language)`` then ``_("text")`` marks and translates.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# Vietnamese first: the default wherever a person's language is not known.
Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DOMAIN = "messages"
Translate = Callable[[str], str]
Plural = Callable[[str, str, int], str]


@cache
def catalog(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES:
        language = LANGUAGES[0]
    po = resources.files("locales").joinpath(language, "LC_MESSAGES", f"{DOMAIN}.po")
    with po.open("rb") as handle:
        parsed = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, parsed)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translator(language: str | None) -> Translate:
    return catalog(language or LANGUAGES[0]).gettext


def plural_translator(language: str | None) -> Plural:
    """``ngettext = plural_translator(language)`` then ``ngettext("1 person", "{n} people", n)``:
    the form the language uses for ``n`` (Vietnamese has one, English two)."""
    return catalog(language or LANGUAGES[0]).ngettext


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later where the language is known."""
    return message
