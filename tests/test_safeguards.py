"""Each safeguard the README promises, tested so that removing it fails a test.

Every test here was checked by breaking its safeguard once (the README's
"How it keeps answers safe" lists which break each one catches).
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.admin.reminders import send_due
from conversations.callbacks import step_data
from storage import actions, followup, responses, users
from storage import database as database_module
from storage.actions import NewAction
from storage.database import migrate
from storage.schema import MIGRATIONS
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, rate, rating_button
from tests.outreach.conftest import ADMIN, FileTelegram, english_admin, outreach_settings

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SURVEY_ID = "sdg-scorecard-vn"

# -- consent -------------------------------------------------------------------------


async def _stored(harness: Harness, person: Person) -> tuple[int, int]:
    """(responses, ratings) stored for ``person``."""
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    (row,) = await harness.services.store.fetchall(
        "SELECT COUNT(DISTINCT r.id), COUNT(t.item_code) FROM responses r"
        " LEFT JOIN ratings t ON t.response_id = r.id WHERE r.user_id = ?",
        (user.id,),
    )
    return row[0], row[1]


async def test_without_consent_nothing_is_asked_and_nothing_is_stored(harness: Harness) -> None:
    person = Person(3101, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")
    await harness.press(person, "No, thank you")
    survey = harness.services.survey
    # Coming back after declining: the consent question again, never the survey.
    for command in ("/start", "/resume"):
        await harness.text(person, command)
        assert "I agree" in [b["text"] for b in harness.screen(person).buttons()], command
    # A rating button (from an old or forged message) and typed digits store nothing.
    await harness.press_data(person, step_data(survey, "p0", "a0"))
    await harness.press_data(person, step_data(survey, "r0", "n3"))
    await harness.text(person, "3 4")
    assert await _stored(harness, person) == (0, 0)
    assert "I agree" in [b["text"] for b in harness.screen(person).buttons()]
    # Agreeing afterwards starts the survey at its first question.
    await harness.press(person, "I agree")
    first = [b["callback_data"] for b in harness.screen(person).buttons()]
    assert step_data(survey, "p0", "a0") in first


async def test_a_rating_press_before_consent_is_refused(harness: Harness) -> None:
    person = Person(3102, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")  # the consent question is showing, unanswered
    survey = harness.services.survey
    await harness.press_data(person, step_data(survey, "r0", "n4"))
    await harness.text(person, "4")
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    assert await responses.get_response(harness.services.store, user.id, SURVEY_ID) is None
    assert "I agree" in [b["text"] for b in harness.screen(person).buttons()]


async def test_after_consent_is_withdrawn_no_press_or_digit_stores_anything(
    harness: Harness,
) -> None:
    """Consent withdrawn after the survey began (as an admin records a person's
    request by phone): the response stays as it was; presses and digits store nothing."""
    person = Person(3104, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "2")
    data = rating_button(harness, person, "f", "4")
    user = await users.get_user(harness.services.store, person.id)
    assert user is not None
    await users.record_consent(harness.services.store, user.id, False, "withdrawn")
    await harness.press_data(person, data)
    await harness.text(person, "5 5")
    assert await _stored(harness, person) == (1, 1)
    assert "I agree" in [b["text"] for b in harness.screen(person).buttons()]


# -- duplicate taps ------------------------------------------------------------------


async def test_a_duplicated_tap_is_silent_and_stores_once(harness: Harness) -> None:
    person = Person(3103, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    await rate(harness, person, "n", "2")
    data = [b["callback_data"] for b in harness.screen(person).buttons()]
    forecast = next(d for d in data if d.endswith("|f4"))
    message = harness.screen(person)
    await harness.press_data(person, forecast, message)  # the screen moves on to 1.2.1
    await harness.press_data(person, forecast, message)  # Telegram delivers it again
    answer = harness.telegram.callback_answers()[-1]
    # Already stored: no "out of date" alert for a tap the person made once.
    assert "out of date" not in answer.get("text", "") and not answer.get("show_alert"), answer
    assert await _stored(harness, person) == (1, 2)


# -- /delete: every table that holds a person's data ----------------------------------

# Columns that identify a person, or point at something of theirs.
PERSONAL = {"user_id", "response_id", "telegram_id", "chat_id", "pseudonym"}
# Tables with such a column that hold staff, not respondents. A new table holding
# a respondent's data must instead reach ``users`` through ON DELETE CASCADE.
STAFF = {
    "coordinators": "coordinators' Telegram ids, set by admins",
    "digest_deliveries": "digests sent to coordinators",
    "facilitators": "facilitators' Telegram ids, set by admins",
    "sessions": "a focus group's scorecard under its own pseudonym: a group's, no one person's",
    "action_reminders": "due-date reminders sent to coordinators",
    "action_drafts": "a coordinator's or admin's action being entered in chat",
}
# Tables that cascade from users but that a person answering in their own chat
# never has rows in (the test's person); the cascade itself is still required.
NOT_SELF = {
    "interviews": "only a respondent interviewed by a facilitator has one",
    "guardian_consents": "only a child has a guardian's consent",
    "guardian_links": "only a child has a link for a guardian",
}


def _foreign_keys(db: sqlite3.Connection, table: str) -> list[tuple[str, str, str, str]]:
    """(column, parent table, parent column, on delete) of each foreign key."""
    return [(r[3], r[2], r[4], r[6]) for r in db.execute(f"PRAGMA foreign_key_list({table})")]


def _owned_tables(db: sqlite3.Connection) -> dict[str, str]:
    """Every table whose rows belong to a person -> SQL selecting one person's rows
    (parameter: users.id), following ON DELETE CASCADE keys up to ``users``."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    owned = {"users": "SELECT rowid FROM users WHERE id = ?"}
    where = {"users": "id = ?"}
    changed = True
    while changed:
        changed = False
        for table in tables:
            if table in where:
                continue
            for column, parent, key, on_delete in _foreign_keys(db, table):
                if parent in where and on_delete == "CASCADE":
                    where[table] = f"{column} IN (SELECT {key} FROM {parent} WHERE {where[parent]})"
                    owned[table] = f"SELECT * FROM {table} WHERE {where[table]}"
                    changed = True
                    break
    return owned


async def test_delete_removes_a_person_from_every_table_that_holds_their_data(
    tmp_path: Path,
) -> None:
    settings = outreach_settings(tmp_path / "scorecard.sqlite3")
    async with Harness(settings, FileTelegram()) as harness:
        await english_admin(harness)
        admin = Person(ADMIN, "en")
        person = Person(987654321, "en")
        await agree(harness, person)
        await answer_profile(harness, person)
        harness.telegram.files["v1"] = b"OggS" + bytes(64)  # what Telegram would serve
        await harness.send_voice(person, "v1", duration=5)  # a voice comment, kept as a file
        assert "Saved your voice comment" in harness.telegram.bot_messages(person.id)[-2].text
        await answer_all(harness, person, comment="Không có nước sạch ở xóm tôi")  # to review
        # A reminder (their response is unsubmitted) and a broadcast that lists them.
        in_four_days = datetime.combine(
            (datetime.now(ZONE) + timedelta(days=4)).date(), time(10, 0), ZONE
        )
        assert await send_due(harness.app, in_four_days) == 1
        await harness.text(admin, "/broadcast all Cảm ơn / Thank you")
        user = await users.get_user(harness.services.store, person.id)
        assert user is not None
        # They asked to hear about the actions, and were told of one (issue 20).
        await followup.set_opt_in(harness.services.store, user.id, True)
        action = await actions.add(harness.services.store, ADMIN, NewAction(
            "", "{}", "issue", "agreed", "UBND xã", "", "2099-01-01", ("1.1.1",), "2026-01-01",
        ))  # fmt: skip
        await followup.claim_notice(harness.services.store, action, user.id, "agreed")
        path = settings.storage.database
        db = sqlite3.connect(path)
        try:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            owned = _owned_tables(db)
            # A table with a personal column either cascades from users or holds staff only.
            for table in tables:
                columns = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                # A link cut on delete (ON DELETE SET NULL) keeps nothing of the person's.
                cut = {
                    column
                    for column, parent, _key, on_delete in _foreign_keys(db, table)
                    if parent in owned and on_delete == "SET NULL"
                }
                if (columns - cut) & PERSONAL and table not in owned:
                    assert table in STAFF, (
                        f"{table} holds {sorted(columns & PERSONAL)} but /delete cannot reach it:"
                        " give it a foreign key to users or responses ON DELETE CASCADE"
                    )
            before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
            theirs = {t: len(db.execute(sql, (user.id,)).fetchall()) for t, sql in owned.items()}
            # Each such table really held something of theirs, so the test proves its delete.
            assert all(n for t, n in theirs.items() if t not in NOT_SELF), str(theirs)
            pseudonym = user.pseudonym
        finally:
            db.close()

        assert any((path.parent / "voice").rglob("*.ogg"))
        await harness.text(person, "/delete")
        await harness.press(person, "Yes, delete everything")
        assert "All your data has been deleted" in harness.screen(person).text

        db = sqlite3.connect(path)
        try:
            for table in tables:
                (count,) = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                assert count == before[table] - theirs.get(table, 0), table
                for column in [r[1] for r in db.execute(f"PRAGMA table_info({table})")]:
                    (left,) = db.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?"
                        f" OR CAST({column} AS TEXT) LIKE ?",
                        (f"%{person.id}%", f"%{pseudonym}%"),
                    ).fetchone()
                    assert left == 0, f"{table}.{column} still names the person"
            # No row still points at something of theirs that is gone.
            for table in tables:
                for column, parent, key, _on_delete in _foreign_keys(db, table):
                    (orphans,) = db.execute(
                        f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL"
                        f" AND {column} NOT IN (SELECT {key} FROM {parent})"
                    ).fetchone()
                    assert orphans == 0, f"{table}.{column}"
            # Their ratings are gone from the running totals behind every digest, too.
            assert db.execute(
                "SELECT COALESCE(SUM(rated), 0) + COALESCE(SUM(dont_know), 0) FROM rating_totals"
            ).fetchone() == (0,)
        finally:
            db.close()
        # Files kept beside the database for them (voice notes) are gone as well.
        voice = path.parent / "voice"
        assert not voice.exists() or not any(voice.rglob("*")), list(voice.rglob("*"))


# -- quiet hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "clock", "reminded"),
    [
        # Crossing midnight: quiet from 21:00 up to, not including, 08:00.
        ("21:00-08:00", "20:59", True),
        ("21:00-08:00", "21:00", False),
        ("21:00-08:00", "23:59", False),
        ("21:00-08:00", "00:00", False),
        ("21:00-08:00", "07:59", False),
        ("21:00-08:00", "08:00", True),
        # Inside one day (a lunch break): 12:00 up to, not including, 14:00.
        ("12:00-14:00", "11:59", True),
        ("12:00-14:00", "12:00", False),
        ("12:00-14:00", "13:59", False),
        ("12:00-14:00", "14:00", True),
        ("12:00-14:00", "22:00", True),
        ("", "03:00", True),
    ],
)
async def test_reminders_respect_quiet_hours_at_both_boundaries(
    tmp_path: Path, window: str, clock: str, reminded: bool
) -> None:
    settings = outreach_settings(tmp_path / "scorecard.sqlite3", quiet_hours=window)
    async with Harness(settings, FileTelegram()) as harness:
        person = Person(3201, "en")
        await agree(harness, person)
        await answer_profile(harness, person)
        day = (datetime.now(ZONE) + timedelta(days=4)).date()
        now = datetime.combine(day, time.fromisoformat(clock), ZONE)
        assert await send_due(harness.app, now) == (1 if reminded else 0)


# -- migrations ----------------------------------------------------------------------


def test_migrations_are_numbered_one_to_n_without_gaps() -> None:
    assert sorted(MIGRATIONS) == list(range(1, len(MIGRATIONS) + 1))


async def test_a_gap_in_the_numbering_refuses_to_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gapped = {**MIGRATIONS, max(MIGRATIONS) + 2: ["CREATE TABLE later (x)"]}
    monkeypatch.setattr(database_module, "MIGRATIONS", gapped)
    async with aiosqlite.connect(tmp_path / "gap.sqlite3", isolation_level=None) as db:
        with pytest.raises(RuntimeError, match="without gaps"):
            await migrate(db)
        async with db.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone()) == (0,)  # nothing applied


def _schema(path: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute("SELECT type || ' ' || name, sql FROM sqlite_master"))
    finally:
        db.close()


async def test_every_older_database_migrates_in_order_to_the_fresh_schema(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"
    async with aiosqlite.connect(fresh, isolation_level=None) as db:
        assert await migrate(db) == max(MIGRATIONS)
    for start in range(1, max(MIGRATIONS)):
        old = tmp_path / f"at-{start}.sqlite3"
        with sqlite3.connect(old) as db:  # as an older release of the bot left it
            for version in range(1, start + 1):
                for statement in MIGRATIONS[version]:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {start}")
        async with aiosqlite.connect(old, isolation_level=None) as db:
            assert await migrate(db) == max(MIGRATIONS)
            async with db.execute("PRAGMA user_version") as cursor:
                assert (await cursor.fetchone()) == (max(MIGRATIONS),)
            assert await migrate(db) == max(MIGRATIONS)  # a second start changes nothing
        assert _schema(old) == _schema(fresh), f"from version {start}"


def test_the_readme_names_the_number_of_migrations() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    readme = " ".join(readme.split())
    words = {7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}
    words.update(
        {
            13: "thirteen",
            14: "fourteen",
            15: "fifteen",
            16: "sixteen",
            17: "seventeen",
            18: "eighteen",
            19: "nineteen",
            20: "twenty",
        }
    )
    count = len(MIGRATIONS)
    assert f"({words.get(count, str(count))} today" in readme, "update the README's count"


__all__ = ["make_settings"]


# -- the token never reaches the log -------------------------------------------------


def test_the_token_is_never_written_to_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    from telegram.error import InvalidToken

    from bot.logs import configure_logging
    from tests.auxil.offline import TOKEN

    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level)
    try:
        configure_logging("DEBUG", [TOKEN])
        # A library quoting the token in an error, traceback included...
        try:
            raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        except InvalidToken:
            logging.getLogger("telegram.ext").exception("start-up failed")
        # ...and httpx's request line, which carries it in the URL, even at DEBUG.
        logging.getLogger("httpx").info('HTTP Request: POST https://x/bot%s/getMe "200"', TOKEN)
        err = capsys.readouterr().err
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        logging.getLogger("httpx").setLevel(saved[2])
    assert "start-up failed" in err and "The token `[token]` was rejected" in err
    assert TOKEN not in err and "HTTP Request" not in err
