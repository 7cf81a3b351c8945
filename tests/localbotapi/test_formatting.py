"""HTML parse_mode turns into plain text plus UTF-16 entities, like Telegram."""

from __future__ import annotations

import pytest

from localbotapi.errors import ApiError
from localbotapi.formatting import command_entities, parse_html


def test_nested_tags_and_escapes() -> None:
    text, entities = parse_html(
        "<b>Điểm <i>4/5</i></b> &lt;tốt&gt; <a href='https://sdg.vn'>xem</a>"
    )
    assert text == "Điểm 4/5 <tốt> xem"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 8},
        {"type": "italic", "offset": 5, "length": 3},
        {"type": "text_link", "offset": 15, "length": 3, "url": "https://sdg.vn"},
    ]


def test_offsets_count_utf16_code_units() -> None:
    text, entities = parse_html("👍 <u>ok</u>")
    assert text == "👍 ok"
    assert entities == [{"type": "underline", "offset": 3, "length": 2}]


def test_pre_with_language() -> None:
    _, entities = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]


@pytest.mark.parametrize("source", ["<b>open", "<div>x</div>", "<b>x</i>", "a < b"])
def test_malformed_html_is_rejected(source: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.description.startswith("Bad Request: can't parse entities")


def test_command_entities() -> None:
    assert command_entities("/start@local_test_bot abc /help") == [
        {"type": "bot_command", "offset": 0, "length": 21},
        {"type": "bot_command", "offset": 26, "length": 5},
    ]
    assert command_entities("1/2 and http://x/y") == []
