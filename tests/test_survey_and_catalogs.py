"""The shipped survey and the UI catalogs are complete in both languages."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from conversations.i18n import translator
from conversations.survey import SurveyFileError, load_survey, parse_survey
from storage.database import open_database
from storage.schema import MIGRATIONS
from tools.catalogs import missing


def test_every_ui_string_is_translated() -> None:
    assert missing() == []
    assert translator("vi")("I agree") == "Tôi đồng ý"
    assert translator("en")("I agree") == "I agree"


def _placeholders(text: str) -> set[str]:
    return {field for _literal, field, _spec, _conv in Formatter().parse(text) if field is not None}


CATALOGS = sorted(Path(__file__).parent.parent.glob("locales/*/LC_MESSAGES/*.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_translation_is_filled_and_keeps_the_placeholders(path: Path) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            problems.append(f"empty msgstr: {ids[0]!r}")
            continue
        for string in strings:
            if _placeholders(string) != _placeholders(ids[-1]):
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert problems == []


def test_shipped_survey_has_the_69_indicators_in_both_languages() -> None:
    survey = load_survey()
    assert len(survey.items) == 69
    assert [s.sdg for s in survey.sections] == [1, 4, 5, 8, 13, 16]
    assert [len(s.items) for s in survey.sections] == [11, 12, 12, 12, 8, 14]
    assert survey.years == {"now": 2026, "forecast": 2030}
    assert (
        survey.item_by_code["16.9.1"][1].name.vi
        == "Tỷ lệ trẻ em dưới 5 tuổi đã được đăng ký khai sinh"
    )
    assert survey.item_by_code["16.9.1"][1].name.draft == []  # official wording
    assert survey.item_by_code["1.1.1"][1].name.draft == ["vi"]  # not yet checked
    sensitive = {q.id for q in survey.profile if q.sensitive}
    assert {"group", "gender"} <= sensitive
    assert [q.id for q in survey.profile] == ["group", "region", "area", "age_band", "gender"]


def test_a_survey_edit_changes_the_content_hash(tmp_path: Path) -> None:
    survey = load_survey()
    raw = (
        Path(__file__)
        .parent.parent.joinpath("conversations/surveys/sdg_scorecard.toml")
        .read_bytes()
    )
    edited = parse_survey(
        raw.replace(b"Extreme poverty", b"Extreme poverty (under $2.15 a day)"), tmp_path / "s.toml"
    )
    assert edited.content_hash != survey.content_hash and edited.version == survey.version


def test_invalid_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("id = [")
    with pytest.raises(SurveyFileError, match=r"bad\.toml: not valid UTF-8 TOML"):
        load_survey(path)


async def test_migrations_upgrade_an_old_database_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    for statement in MIGRATIONS[1]:
        old.execute(statement)
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO users (telegram_id, chat_id, pseudonym, created_at) VALUES (5, 5, 'RX', 't')"
    )
    old.commit()
    old.close()
    db = await open_database(path)
    try:
        async with db.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone())[0] == max(MIGRATIONS)
        async with db.execute("SELECT pseudonym FROM users") as cursor:
            assert [r[0] for r in await cursor.fetchall()] == ["RX"]  # data kept
        async with db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"
    finally:
        await db.close()
