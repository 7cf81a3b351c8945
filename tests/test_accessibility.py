"""Screens read aloud: every button says something in words or numbers on one line,
and a choice marked only by "✓" on a button is also said in the text."""

from __future__ import annotations

import re

import pytest

from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree, answer_profile, rate

DECORATION = set("✓▶◀ⓘ?💬🗑✅–→·:() ")


def spoken(text: str) -> str:
    """What is left once the symbols a screen reader reads as noise are gone."""
    return "".join(c for c in text if c not in DECORATION)


def assert_readable_buttons(harness: Harness, person: Person) -> list[str]:
    labels = [b["text"] for b in harness.screen(person).buttons()]
    for label in labels:
        assert "\n" not in label and len(label) <= 40, label
        assert any(c.isalnum() for c in spoken(label)), f"only symbols: {label!r}"
    return labels


@pytest.mark.parametrize(
    ("language", "button", "dont_know", "now_words"),
    [
        ("en", "English", "? Don't know (2026)", "Row 2026 – now: 4 Mostly true"),
        ("vi", "Tiếng Việt", "? Không biết (2026)", "Hàng 2026 – hiện nay: 4 Đúng phần lớn"),
    ],
)
async def test_the_rating_screen_reads_well_aloud(
    harness: Harness, language: str, button: str, dont_know: str, now_words: str
) -> None:
    person = Person(6100 + len(language) + len(button), language)
    await agree(harness, person, button)
    await answer_profile(harness, person)
    labels = assert_readable_buttons(harness, person)
    # Each row starts with its label (the year, pointing at the numbers), don't know
    # is said in words, info is named.
    assert labels[:6] == ["2026:", "1", "2", "3", "4", "5"]
    assert labels[6:12] == ["2030:", "1", "2", "3", "4", "5"]
    assert dont_know in labels and dont_know.replace("2026", "2030") in labels
    assert "?" not in labels
    assert any(label.startswith("ⓘ ") for label in labels)
    await rate(harness, person, "n", "4")
    screen = harness.screen(person)
    assert "✓4" in [b["text"] for b in screen.buttons()]
    assert now_words in re.sub(r"<[^>]+>", "", screen.text)  # the ✓ in words too
    await rate(harness, person, "f", "d")  # don't know: ticked in words on the button
    await harness.press(person, "◀ Back" if language == "en" else "◀ Quay lại")
    assert_readable_buttons(harness, person)


async def test_ticked_groups_and_goals_are_said_in_the_text(harness: Harness) -> None:
    person = Person(6201, "en")
    await agree(harness, person)
    assert "Chosen: none yet" in harness.screen(person).text
    await harness.press(person, "Women")
    await harness.press(person, "People with disabilities")
    assert "Chosen: Women, People with disabilities" in harness.screen(person).text
    assert_readable_buttons(harness, person)


async def test_help_explains_typed_answers_and_voice_notes(harness: Harness) -> None:
    person = Person(6202, "en")
    await agree(harness, person)
    await harness.text(person, "/help")
    text = harness.telegram.last_bot_message(person.id).text
    assert "a number from 1 to 5" in text and "0 or ?" in text and "two numbers" in text
    assert "voice note" in text and "5 minutes" in text
