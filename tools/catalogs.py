"""Refresh the gettext catalogs after UI strings change in the code.

    python tools/catalogs.py          # extract, then merge into vi and en
    python tools/catalogs.py --check  # exit 1 if a string is missing, empty, fuzzy
                                      # or changes the {placeholders}

English messages are their own translation; Vietnamese ones need a translator.
New strings appear in ``locales/vi/LC_MESSAGES/messages.po`` with an empty
``msgstr`` (the tests fail until it is filled in).
"""

from __future__ import annotations

import sys
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
SOURCES = ("bot", "cli", "conversations", "reporting", "survey", "storage", "locales")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    template = Catalog(project="sdg-scorecard-bot")
    for folder in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, comment_tags=()
        ):
            template.add(message)
    return template


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / "messages.po"


def update(template: Catalog) -> None:
    for language in ("vi", "en"):
        path = catalog_path(language)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="sdg-scorecard-bot")
        old = {_key(m.id): m.string for m in catalog if m.id}
        fresh = Catalog(locale=language, project="sdg-scorecard-bot")
        for message in template:
            if message.id:
                string = old.get(_key(message.id)) or _blank(message.id, language)
                fresh.add(message.id, string)
        with path.open("wb") as handle:
            write_po(handle, fresh, omit_header=False, no_location=True, width=100)


def _key(message_id: str | tuple[str, ...]) -> str | tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, (list, tuple)) else message_id


def _blank(message_id: str | tuple[str, ...], language: str) -> str | tuple[str, ...]:
    """English is its own translation; a Vietnamese plural has one form (nplurals=1)."""
    if language == "en":
        return message_id
    return ("",) if isinstance(message_id, tuple) else ""


def _forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(text) if isinstance(text, (list, tuple)) else (text,)


def _same_names(string: str | tuple[str, ...], message_id: str | tuple[str, ...]) -> bool:
    """A translation keeps the source's {names}; a plural form may drop only what the
    singular source lacks (English "1 person" has no {n}, "{n} people" has)."""
    if not isinstance(message_id, (list, tuple)):
        return placeholders(str(string)) == placeholders(message_id)
    least, most = placeholders(message_id[0]), placeholders(message_id[-1])
    return all(least <= placeholders(form) <= most for form in _forms(string))


def placeholders(text: str) -> set[str]:
    """The ``{names}`` that ``str.format`` fills in: a translation must keep them all."""
    try:
        return {name for _text, name, _spec, _conv in Formatter().parse(text) if name is not None}
    except ValueError:  # an unbalanced brace: str.format would fail at run time
        return {"<unbalanced brace>"}


def problems(locales: Path = LOCALES, template: Catalog | None = None) -> list[str]:
    """Every UI string the code uses that a respondent would not see properly translated.

    Missing or empty ``msgstr``s fall back to the English source; fuzzy ones
    ("needs work" in Poedit and Weblate) are left out of the compiled catalog
    and fall back too; a changed ``{placeholder}`` breaks ``str.format``.
    """
    template = template if template is not None else extract()
    found = []
    for language in ("vi", "en"):
        with (locales / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in template:
            if not message.id:
                continue
            entry = catalog.get(message.id)
            if entry is None or not all(_forms(entry.string)):
                found.append(f"{language}: no translation: {message.id!r}")
            elif entry.fuzzy:
                found.append(f"{language}: fuzzy (needs review, not used): {message.id!r}")
            elif not _same_names(entry.string, message.id):
                found.append(
                    f"{language}: placeholders differ: {message.id!r} -> {entry.string!r}"
                    f" (keep {', '.join(sorted(placeholders(_forms(message.id)[-1]))) or 'none'})"
                )
    return found


if __name__ == "__main__":
    if "--check" in sys.argv:
        found = problems()
        print("\n".join(found) or "catalogs complete")
        sys.exit(1 if found else 0)
    update(extract())
