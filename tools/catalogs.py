"""Refresh the gettext catalogs after UI strings change in the code.

    python tools/catalogs.py          # extract, then merge into vi and en
    python tools/catalogs.py --check  # exit 1 if a catalog lacks a string

English messages are their own translation; Vietnamese ones need a translator.
New strings appear in ``locales/vi/LC_MESSAGES/messages.po`` with an empty
``msgstr`` (the tests fail until it is filled in).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
SOURCES = ("bot", "conversations", "storage")
KEYWORDS = {"_": None, "N_": None}


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
        old = {m.id: m.string for m in catalog if m.id}
        fresh = Catalog(locale=language, project="sdg-scorecard-bot")
        for message in template:
            if message.id:
                string = old.get(message.id) or (message.id if language == "en" else "")
                fresh.add(message.id, string)
        with path.open("wb") as handle:
            write_po(handle, fresh, omit_header=False, no_location=True, width=100)


def missing() -> list[str]:
    template = extract()
    problems = []
    for language in ("vi", "en"):
        with catalog_path(language).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in template:
            if message.id and not (catalog.get(message.id) and catalog.get(message.id).string):
                problems.append(f"{language}: {message.id!r}")
    return problems


if __name__ == "__main__":
    if "--check" in sys.argv:
        problems = missing()
        print("\n".join(problems) or "catalogs complete")
        sys.exit(1 if problems else 0)
    update(extract())
