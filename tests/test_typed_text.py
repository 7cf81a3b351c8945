"""Typed text is stored as people see it: no control characters, nothing invisible."""

from __future__ import annotations

import pytest

from locales.textlimits import clean_typed


@pytest.mark.parametrize(
    "typed",
    ["\u200b", "\u200b\u200c\u200d\ufeff", " \u2060 ", "\u3164", "\u2800\u2800", "\x00", "\t\n"],
)
def test_text_of_only_invisible_or_control_characters_is_empty(typed: str) -> None:
    assert clean_typed(typed) == ""


def test_controls_are_removed_but_lines_tabs_and_every_script_stay() -> None:
    typed = "Đường\x00 xa\x07 quá\r\n\tchợ 🌾\u200b ở đây\x1b\x85"
    assert clean_typed(typed) == "Đường xa quá\n\tchợ 🌾\u200b ở đây"
    # Joiners inside visible text are part of it (emoji sequences, Indic scripts).
    assert clean_typed("👩\u200d🌾") == "👩\u200d🌾"


async def test_an_invisible_comment_is_asked_again_and_nul_never_stored(database) -> None:  # type: ignore[no-untyped-def]
    from tests.auxil.harness import Harness, Person, make_settings
    from tests.auxil.journeys import agree, answer_profile

    person = Person(4201, "en")
    async with Harness(make_settings(database)) as harness:
        await agree(harness, person)
        await answer_profile(harness, person)
        await harness.text(person, "\u200b\u200b")
        notes = [m.text for m in harness.telegram.bot_messages(person.id)]
        assert any("That message is empty" in n for n in notes)
        assert await harness.services.store.fetchall("SELECT * FROM texts") == []
        await harness.text(person, "Đường\x00 xa quá")
        rows = await harness.services.store.fetchall("SELECT text FROM texts")
        assert [row[0] for row in rows] == ["Đường xa quá"]
