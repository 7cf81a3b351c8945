"""The shipped survey and the UI catalogs are complete in both languages."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from locales.i18n import translator
from storage.database import open_database
from storage.schema import MIGRATIONS
from survey.model import SurveyFileError, load_survey, parse_survey
from tools.catalogs import problems


def test_every_ui_string_is_translated_in_vi_and_en_with_its_placeholders() -> None:
    assert problems() == []
    assert translator("vi")("I agree") == "Tôi đồng ý"
    assert translator("en")("I agree") == "I agree"


def test_the_catalog_check_finds_what_a_translator_can_get_wrong(tmp_path: Path) -> None:
    template = Catalog()
    for message in ("Hello", "Skipped: {count}", "Now ({year})", "Next ▶"):
        template.add(message)
    entries = {
        "vi": {
            "Hello": ("", False),  # forgotten
            "Skipped: {count}": ("Đã bỏ qua: {số}", False),  # placeholder translated
            "Now ({year})": ("Hiện nay ({year})", True),  # fuzzy: "needs work" in Poedit
        },
        "en": {
            "Hello": ("Hello", False),
            "Skipped: {count}": ("Skipped: {count", False),  # str.format would raise
            "Now ({year})": ("Now ({year})", False),
            "Next ▶": ("Next ▶", False),
        },
    }
    for language, messages in entries.items():
        catalog = Catalog(locale=language)
        for message_id, (string, fuzzy) in messages.items():
            catalog.add(message_id, string, flags=["fuzzy"] if fuzzy else [])
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.po").open("wb") as handle:
            write_po(handle, catalog)
    assert problems(tmp_path, template) == [
        "vi: no translation: 'Hello'",
        "vi: placeholders differ: 'Skipped: {count}' -> 'Đã bỏ qua: {số}' (keep count)",
        "vi: fuzzy (needs review, not used): 'Now ({year})'",
        "vi: no translation: 'Next ▶'",
        "en: placeholders differ: 'Skipped: {count}' -> 'Skipped: {count' (keep count)",
    ]


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
    raw = Path(__file__).parent.parent.joinpath("survey/files/sdg_scorecard.toml").read_bytes()
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
