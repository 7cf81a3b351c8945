"""``/language vi|en`` switches at once (the playground's language switch sends it)."""

from __future__ import annotations

from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree


async def test_language_with_a_code_switches_without_the_picker(harness: Harness) -> None:
    person = Person(2001, "en")
    await agree(harness, person)
    await harness.text(person, "/language vi")
    assert "Bạn thuộc những nhóm nào dưới đây?" in harness.screen(person).text
    await harness.text(person, "/language EN")
    assert "Which of these groups" in harness.screen(person).text


async def test_language_before_consent_asks_for_consent_in_that_language(
    harness: Harness,
) -> None:
    person = Person(2002, "vi")
    await harness.text(person, "/language en")
    assert "I agree" in [b["text"] for b in harness.screen(person).buttons()]


async def test_language_with_an_unknown_code_shows_the_picker(harness: Harness) -> None:
    person = Person(2003, "en")
    await agree(harness, person)
    await harness.text(person, "/language fr")
    assert [b["text"] for b in harness.screen(person).buttons()] == ["Tiếng Việt", "English"]
