"""The survey sheet's goal groups: their indicator groups, ratings and comment."""

from __future__ import annotations

import re

from survey.model import LANGUAGES
from survey.xlsform_export import YEAR_FIELDS
from survey.xlsform_import.cells import Reader, Row
from survey.xlsform_import.questions import read_relevant

# An open group while the survey sheet is walked: ("section" | "item", its row, its data).
Frame = tuple[str, Row, dict]


def read_goal(reader: Reader, row: Row, sdgs: dict[str, Row], profile: list) -> dict:
    """A goal's ``begin group`` row; its indicators are added as their rows come."""
    reader.only(
        row,
        {
            "label::vi",
            "label::en",
            "relevant",
            "sdg",
            "official_level",
            "official_source",
            "appearance",
        },
        "a goal group",
    )
    sdg = row.get("sdg")
    if not sdg.isdigit() or not 1 <= int(sdg) <= 17:
        reader.error(row, "sdg", "write the goal's number, 1 to 17")
    elif sdg in sdgs:
        reader.error(row, "sdg", f"goal {sdg} is already row {sdgs[sdg].number}")
    else:
        sdgs[sdg] = row
    section: dict = {
        "id": row.get("name"),
        "sdg": int(sdg) if sdg.isdigit() else 0,
        "title": reader.text(row, "label", "goal title"),
        "items": [],
        "_row": row,
    }
    _read_official(reader, row, section)
    read_relevant(reader, row, section, profile)
    return section


def _read_official(reader: Reader, row: Row, section: dict) -> None:
    """The official level the goal's ratings are compared with, and where it comes from."""
    level, source = row.get("official_level"), row.get("official_source")
    if not (level or source):
        return
    try:
        section["official"] = {"level": float(level), "source": source}
    except ValueError:
        reader.error(row, "official_level", "write a number from 1 to 5, e.g. 3.5")
    if not source:
        reader.error(row, "official_source", "say where the official level comes from")
    elif level and not 1 <= _float(level) <= 5:
        reader.error(row, "official_level", "write a number from 1 to 5")


def read_comment(reader: Reader, row: Row, section: dict) -> None:
    """A goal's ``text`` row: the prompt for a comment on the goal."""
    reader.only(row, {"label::vi", "label::en", "required"}, "a goal's comment")
    reader.required(row, False, "the bot lets everyone skip a comment")
    if "comment" in section:
        reader.error(row, "type", "a goal has at most one comment (text) row")
    section["comment"] = reader.text(row, "label", "comment prompt")


def read_indicator(reader: Reader, row: Row, codes: dict[str, Row], profile: list) -> dict:
    """An indicator's ``begin group`` row; its ratings are checked as their rows come."""
    reader.only(
        row,
        {
            "label::vi",
            "label::en",
            "hint::vi",
            "hint::en",
            "relevant",
            "indicator_code",
            "official_name::vi",
            "official_name::en",
            "short::vi",
            "short::en",
            "sensitive",
            "appearance",
        },
        "an indicator group",
    )
    code = row.get("indicator_code")
    if not code:
        reader.error(row, "indicator_code", "give the UN SDG indicator code, e.g. 1.2.1")
    elif code in codes:
        reader.error(
            row, "indicator_code", f"duplicate code {code} (already row {codes[code].number})"
        )
    else:
        codes[code] = row
    item: dict = {
        "code": code,
        "label": reader.text(row, "label", "statement"),
        "name": reader.text(row, "official_name", "official name"),
        "about": reader.text(row, "hint", "ⓘ text (hint)"),
        **({"short": short} if (short := reader.text(row, "short", "short title", True)) else {}),
        "_row": row,
        "_ratings": [],
    }
    sensitive = row.get("sensitive")
    if sensitive not in {"", "yes", "no"}:
        reader.error(row, "sensitive", "write yes (shows the child-protection helpline) or no")
    elif sensitive == "yes":
        item["sensitive"] = True
    read_relevant(reader, row, item, profile)
    return item


def read_rating(reader: Reader, row: Row, parent: Frame, headings: dict) -> None:
    """A ``select_one scale`` row in an indicator; its heading (and its question, the
    hint) must match every other's."""
    reader.only(
        row,
        {"label::vi", "label::en", "hint::vi", "hint::en", "rating", "required"},
        "a rating row",
    )
    reader.required(row, False, "the bot lets everyone skip a rating or say 'don't know'")
    kind = row.get("rating")
    if kind not in YEAR_FIELDS:
        reader.error(row, "rating", "write now or forecast")
        return
    parent[2]["_ratings"].append(kind)
    label = _with_year(
        reader, row, "label", kind, reader.text(row, "label", f"{kind} heading", references=True)
    )
    question = _with_year(
        reader, row, "hint", kind, reader.text(row, "hint", f"{kind} question", True, True)
    )
    if kind not in headings:
        headings[kind] = (row, label, question)
    elif headings[kind][1:] != (label, question):
        reader.error(
            row,
            "label::vi",
            f"the bot shows one {kind} heading and question for every indicator: make them"
            f" the same as row {headings[kind][0].number}",
        )


def _with_year(reader: Reader, row: Row, base: str, kind: str, text: dict | None) -> dict | None:
    """A heading's ``${now_year}`` as the survey file's ``{year}``; nothing else may stand in."""
    if text is None:
        return None
    for language in LANGUAGES:
        template = text[language].replace(f"${{{YEAR_FIELDS[kind]}}}", "{year}")
        if "${" in template or re.search(r"\{(?!year\})", template):
            reader.error(
                row,
                f"{base}::{language}",
                f"only ${{{YEAR_FIELDS[kind]}}} may stand for a value in this heading",
            )
        text[language] = template
    return text


def close_group(reader: Reader, frame: Frame) -> None:
    """An ``end group`` row: the group must have held what it needs."""
    level, row, node = frame
    node.pop("_row")
    if level == "section" and not node["items"]:
        reader.error(row, "type", "a goal needs at least one indicator group")
    if level == "item" and node.pop("_ratings") != list(YEAR_FIELDS):
        reader.error(
            row,
            "type",
            "an indicator group holds two select_one scale rows: rating now, then forecast",
        )


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0
