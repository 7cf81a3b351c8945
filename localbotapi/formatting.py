"""Telegram text formatting: HTML parse_mode to text + entities, command entities.

Entity offsets and lengths are counted in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .errors import bad_request

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "a": "text_link",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*/?>")
_ATTR_RE = re.compile(r"([a-zA-Z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_COMMAND_RE = re.compile(r"(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Strip Telegram-supported HTML into plain text and message entities."""
    out: list[str] = []
    length = 0
    stack: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    while pos < len(source):
        char = source[pos]
        if char == "<":
            match = _TAG_RE.match(source, pos)
            if match is None:
                raise bad_request(
                    "can't parse entities: Unexpected end of name token at byte offset "
                    f"{_byte_offset(source, pos)}"
                )
            closing, name, attr_text = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _SIMPLE_TAGS:
                raise bad_request(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset '
                    f"{_byte_offset(source, pos)}"
                )
            if closing:
                if not stack or stack[-1][0] != name:
                    expected = stack[-1][0] if stack else ""
                    raise bad_request(
                        f"can't parse entities: Unmatched end tag at byte offset "
                        f'{_byte_offset(source, pos)}, expected "</{expected}>", found "</{name}>"'
                    )
                _, start, attrs = stack.pop()
                entity = _make_entity(name, start, length - start, attrs, entities)
                if entity is not None:
                    entities.append(entity)
            else:
                attrs = {
                    m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
                    for m in _ATTR_RE.finditer(attr_text)
                }
                stack.append((name, length, attrs))
            pos = match.end()
            continue
        if char == "&":
            match = _ENTITY_RE.match(source, pos)
            if match is not None:
                decoded = html.unescape(match.group(0))
                out.append(decoded)
                length += utf16_len(decoded)
                pos = match.end()
                continue
        out.append(char)
        length += utf16_len(char)
        pos += 1
    if stack:
        tag = stack[-1][0]
        raise bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{tag}\""
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _make_entity(
    name: str, offset: int, length: int, attrs: dict[str, str], done: list[dict[str, Any]]
) -> dict[str, Any] | None:
    if length == 0:
        return None
    kind = _SIMPLE_TAGS[name]
    entity: dict[str, Any] = {"type": kind, "offset": offset, "length": length}
    if name == "a":
        url = attrs.get("href", "")
        if url.startswith("tg://user?id="):
            return {
                "type": "text_mention",
                "offset": offset,
                "length": length,
                "user": {"id": int(url.split("=", 1)[1]), "is_bot": False, "first_name": ""},
            }
        entity["url"] = url
    elif name == "span" and attrs.get("class") != "tg-spoiler":
        return None
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "code" and attrs.get("class", "").startswith("language-"):
        # <pre><code class="language-x">: Telegram folds the language into the pre entity.
        entity["language"] = attrs["class"][len("language-") :]
    elif name == "pre":
        inner = next(
            (
                e
                for e in done
                if e["type"] == "code"
                and e["offset"] == offset
                and e["length"] == length
                and "language" in e
            ),
            None,
        )
        if inner is not None:
            done.remove(inner)
            entity["language"] = inner["language"]
    return entity


def format_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Apply ``parse_mode``; only HTML is interpreted (Markdown is passed through)."""
    if parse_mode is not None and parse_mode.upper() == "HTML":
        return parse_html(text)
    return text, []


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities the Telegram client attaches to a user's message."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities
