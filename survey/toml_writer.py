"""Write a survey as a survey file (TOML) laid out like the shipped one.

Python reads TOML but does not write it; a survey is a small, fixed shape
(scalars, two-language inline texts, arrays of tables), so a few lines here
spare a dependency and keep the imported file as readable as a hand-written
one: one line per text, ``[[sections]]`` followed by its ``[[sections.items]]``.
"""

from __future__ import annotations

import json

from survey.model import Survey

# Keys in the order a person reads a survey file; anything else follows.
ORDER = [
    "id",
    "code",
    "sdg",
    "version",
    "kind",
    "value",
    "year",
    "sensitive",
    "multiple",
    "max_choices",
    "title",
    "short_title",
    "welcome",
    "prompt",
    "label",
    "name",
    "about",
    "comment",
    "official",
    "relevant",
    "dont_know",
]


def _key(key: str) -> str:
    return (
        key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _string(key)
    )


def _string(text: str) -> str:
    # A JSON string is a TOML basic string, except DEL, which TOML wants escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _sorted(table: dict) -> list[tuple[str, object]]:
    rank = {key: index for index, key in enumerate(ORDER)}
    return sorted(table.items(), key=lambda kv: rank.get(kv[0], len(ORDER)))


def _inline(value: object) -> bool:
    """A table with no arrays of tables inside goes on one line: texts, official."""
    return isinstance(value, dict) and not any(
        isinstance(v, dict) or _is_table_list(v) for v in value.values()
    )


def _table(lines: list[str], prefix: str, table: dict) -> None:
    for key, value in _sorted(table):
        if not (_is_table_list(value) or (isinstance(value, dict) and not _inline(value))):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in _sorted(table):
        path = f"{prefix}.{_key(key)}" if prefix else _key(key)
        if isinstance(value, dict) and not _inline(value):
            lines.extend(["", f"[{path}]"])
            _table(lines, path, value)
        elif _is_table_list(value):
            for element in value:
                lines.extend(["", f"[[{path}]]"])
                _table(lines, path, element)


def survey_toml(survey: Survey, header: str = "") -> str:
    """The survey file's text; reading it back gives an equal survey."""
    data = survey.model_dump(exclude={"content_hash"}, exclude_none=True)

    def prune(node: object) -> object:
        # An empty draft list is the default: leave it out, as the shipped file does.
        if isinstance(node, dict):
            return {k: prune(v) for k, v in node.items() if not (k == "draft" and v == [])}
        if isinstance(node, list):
            return [prune(v) for v in node]
        return node

    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    if lines:
        lines.append("")
    _table(lines, "", prune(data))
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"
