"""The choices sheet: the rating scale, the profile questions' options and the goals list."""

from __future__ import annotations

from survey.model import LANGUAGES
from survey.xlsform_export import DONT_KNOW, GOALS_LIST, PREFER_NOT, SCALE_LIST, prefer_not_text
from survey.xlsform_import.cells import Reader, Row

_CHOICE_COLUMNS = {"list_name", "name", "label::vi", "label::en"}


def read_lists(reader: Reader, rows: list[Row]) -> dict[str, list[Row]]:
    """The choice rows by list name; rows without a list, a name or with a repeated name are left out."""
    lists: dict[str, list[Row]] = {}
    for row in rows:
        list_name = row.get("list_name")
        if not list_name:
            reader.error(row, "list_name", "empty list_name")
            continue
        if not row.get("name"):
            reader.error(row, "name", "empty choice name")
            continue
        names = [r.get("name") for r in lists.get(list_name, [])]
        if row.get("name") in names:
            reader.error(row, "name", f"duplicate choice {row.get('name')!r} in {list_name}")
            continue
        lists.setdefault(list_name, []).append(row)
    return lists


def read_scale(reader: Reader, lists: dict[str, list[Row]]) -> dict:
    """The rating scale: points 1 to 5 and "don't know", each with its label."""
    rows = lists.get(SCALE_LIST, [])
    names = [r.get("name") for r in rows]
    expected = ["1", "2", "3", "4", "5", DONT_KNOW]
    if names != expected:
        reader.error(
            rows[0] if rows else None,
            "name" if rows else None,
            f"the '{SCALE_LIST}' list must be {', '.join(expected)} in this order"
            f" (found {', '.join(names) or 'nothing'})",
            "choices",
        )
    texts = {r.get("name"): reader.text(r, "label", f"scale label {r.get('name')}") for r in rows}
    return {
        "points": [{"value": v, "label": texts.get(str(v))} for v in range(1, 6)],
        "dont_know": texts.get(DONT_KNOW),
    }


def read_options(
    reader: Reader, lists: dict[str, list[Row]], row: Row, list_name: str
) -> tuple[list[dict], bool]:
    """A profile question's choices and whether it is sensitive (ends with prefer_not)."""
    rows = lists.get(list_name)
    if rows is None:
        reader.error(row, "type", f"no choice list '{list_name}' on the choices sheet")
        return [], False
    choices, sensitive = [], False
    for choice in rows:
        if choice.get("name") == PREFER_NOT:
            sensitive = True
            _check_prefer_not(reader, choice, last=choice is rows[-1])
            continue
        reader.only(choice, _CHOICE_COLUMNS, "a choice")
        choices.append(
            {"id": choice.get("name"), "label": reader.text(choice, "label", "choice label")}
        )
    return choices, sensitive


def _check_prefer_not(reader: Reader, choice: Row, last: bool) -> None:
    """The bot words "prefer not to say" itself (UI catalog), so other wording is ignored."""
    if not last:
        reader.error(choice, "name", f"{PREFER_NOT} must be the list's last choice")
    own = prefer_not_text()
    if any(choice.get(f"label::{lang}") not in ("", own(lang)) for lang in LANGUAGES):
        reader.warn(
            choice,
            "label::vi",
            f"the bot always says {own('vi')!r} / {own('en')!r} here (UI catalog)",
        )


def read_goals_list(reader: Reader, lists: dict[str, list[Row]], sections: list[dict]) -> None:
    """The goals list gives each goal its short title, in the goals' order."""
    rows = lists.get(GOALS_LIST, [])
    by_name = {r.get("name"): r for r in rows}
    for section in sections:
        choice = by_name.get(section["id"])
        if choice is None:
            reader.error(
                None,
                None,
                f"the '{GOALS_LIST}' list has no choice {section['id']!r}: each goal needs"
                " one, labelled with its short title",
                "choices",
            )
            continue
        reader.only(choice, _CHOICE_COLUMNS, "a goal")
        section["short_title"] = reader.text(choice, "label", "short title")
    ids = [s["id"] for s in sections]
    for row in rows:
        if row.get("name") not in ids:
            reader.error(row, "name", f"no goal group named {row.get('name')!r}")
    if [r.get("name") for r in rows if r.get("name") in ids] != ids:
        reader.error(
            rows[0] if rows else None,
            "name" if rows else None,
            f"list the '{GOALS_LIST}' choices in the order of the goal groups",
            "choices",
        )
