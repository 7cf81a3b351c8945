"""PostgreSQL as a second backend: the setting that selects it, the SQL it is
given, its one-line errors, and ``db copy`` from SQLite.

Tests taking ``database`` run on SQLite and, with SCORECARD_TEST_POSTGRES set
(``.ci/postgres``), on PostgreSQL too; ``server`` tests need the server.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from bot.config import Settings
from cli.main import main
from conversations.services import CONSENT_VERSION
from storage import analytics, responses, retention, rounds, users
from storage import publication as stored
from storage.database import DatabaseUnavailable, database_errors
from storage.dialect import PostgresURL, translate
from storage.schema import MIGRATIONS
from storage.store import Store
from survey.model import load_survey
from tests import postgres
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile, rating_button

server = pytest.mark.skipif(not postgres.SERVER, reason="SCORECARD_TEST_POSTGRES is not set")


def test_a_postgresql_url_selects_postgresql_and_a_path_keeps_sqlite(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = Settings(storage={"database": "postgresql://bot:s3cret@db.example:5432/scorecard"})
    assert isinstance(chosen.storage.database, PostgresURL)
    assert chosen.storage.database == "postgresql://bot:s3cret@db.example:5432/scorecard"
    assert chosen.storage.database.redacted == "postgresql://bot:***@db.example:5432/scorecard"
    assert Settings(storage={"database": "data/x.sqlite3"}).storage.database == Path(
        "data/x.sqlite3"
    )
    assert Settings().storage.database == Path("data/scorecard.sqlite3")
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", "postgres://bot@localhost/scorecard")
    assert isinstance(Settings().storage.database, PostgresURL)


def test_sqlite_statements_are_given_to_postgresql_in_its_words() -> None:
    assert translate("SELECT * FROM users WHERE id = ? AND name LIKE 'a?%'") == (
        "SELECT * FROM users WHERE id = %s AND name LIKE 'a?%%'"
    )
    # An upsert names its conflict target, and bare columns are the stored row's.
    assert translate(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " value = excluded.value WHERE value IS NOT excluded.value OR skipped"
    ) == (
        "INSERT INTO ratings VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT"
        " (response_id, item_code, kind) DO UPDATE SET value = excluded.value"
        " WHERE ratings.value IS DISTINCT FROM excluded.value OR ratings.skipped <> 0 "
    )
    assert translate("INSERT OR IGNORE INTO reminders VALUES (?, 0, ?)") == (
        "INSERT INTO reminders VALUES (%s, 0, %s) ON CONFLICT DO NOTHING"
    )
    assert translate("SELECT SUM(t.value IS NULL AND NOT t.skipped), MIN(a, MIN(b)) FROM t") == (
        "SELECT SUM(CASE WHEN t.value IS NULL AND t.skipped = 0 THEN 1 ELSE 0 END),"
        " LEAST(a, MIN(b)) FROM t"
    )
    assert translate("SELECT 1 WHERE x IN () AND y NOT IN ()") == (
        "SELECT 1 WHERE x = ANY('{}') AND y <> ALL('{}')"
    )
    assert translate("BEGIN IMMEDIATE") == "BEGIN"


def test_backup_and_restore_on_postgresql_name_pg_dump_and_pg_restore(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", "postgresql://bot:s3cret@db.example/sc")
    assert main(["backup", "--out", str(tmp_path / "copy.sqlite3")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "s3cret" not in error
    assert "use `pg_dump --format=custom --file FILE 'postgresql://bot:***@db.example/sc'`" in error
    assert main(["check-config"]) == 0
    shown = capsys.readouterr().out
    assert "database postgresql://bot:***@db.example/sc," in shown and "s3cret" not in shown
    assert main(["restore", str(tmp_path / "copy.sqlite3")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pg_restore --clean --if-exists --dbname FILE" in error
    assert not (tmp_path / "copy.sqlite3").exists()


async def test_ids_flags_answers_and_upserts_read_back_as_stored(database: Path) -> None:
    """The same values on both backends: 64-bit Telegram ids, ids from 1, flags as 0/1,
    answers riding along as JSON, an upsert that changes nothing changing nothing."""
    survey = load_survey()
    store = await Store.open(database)
    try:
        big = 7_123_456_789  # above 2**31, as Telegram's newer ids are
        first = await users.ensure_user(store, big, big)
        assert (first.id, first.telegram_id) == (1, big)
        assert await users.ensure_user(store, big, big) == first
        offline = await users.create_offline_user(store, "vi")
        assert (offline.id, offline.telegram_id, offline.chat_id) == (2, -1, 0)
        await users.record_consent(store, first.id, True, CONSENT_VERSION)
        response = await responses.start_response(
            store, first.id, survey.id, survey.version, survey.content_hash, None,
            {"group": "youth", "region": "north"},
        )  # fmt: skip
        await responses.save_rating(store, response.id, "1.1.1", "now", 1, 4, False)
        await responses.save_rating(store, response.id, "1.1.1", "now", 1, 4, False)
        await responses.save_rating(store, response.id, "1.1.1", "forecast", 1, None, True)
        await responses.save_rating(store, response.id, "1.2.1", "now", 1, None, False)
        state = await responses.respondent_state(store, big, survey.id)
        assert state is not None and state.consent is not None and state.consent.agreed is True
        assert state.answers.profile == {"group": "youth", "region": "north"}
        assert state.answers.ratings[("1.1.1", "now")] == responses.Rating(4, False)
        assert state.answers.ratings[("1.1.1", "forecast")] == responses.Rating(None, True)
        # A changed group moves the ratings once, out of the old cell into the new.
        await responses.save_profile(store, response.id, "group", "women")
        totals = await store.fetchall(
            "SELECT grp, item_code, kind, rated, total, dont_know FROM rating_totals"
            " WHERE rated <> 0 OR total <> 0 OR dont_know <> 0 ORDER BY grp, item_code, kind"
        )
        assert [tuple(row) for row in totals] == [
            ("women", "1.1.1", "now", 1, 4, 0),
            ("women", "1.2.1", "now", 0, 0, 1),
        ]
    finally:
        await store.close()


@server
async def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailable) as caught:
        await Store.open(PostgresURL("postgresql://bot:s3cret@127.0.0.1:1/scorecard"))
    message = str(caught.value)
    assert message.startswith("cannot connect to postgresql://bot:***@127.0.0.1:1/scorecard: ")
    assert "\n" not in message and "s3cret" not in message


@server
async def test_a_read_only_server_and_a_newer_schema_are_refused_in_one_line() -> None:
    url, schema = postgres.new_schema_url()
    try:
        store = await Store.open(PostgresURL(url))
        await store.execute("UPDATE scorecard_schema SET version = 99")
        await store.close()
        with pytest.raises(DatabaseUnavailable) as caught:
            await Store.open(PostgresURL(url))
        assert str(caught.value).endswith(
            f"the database is at schema version 99, newer than this bot's {max(MIGRATIONS)}:"
            " upgrade the bot"
        )
        read_only = url + "%20-cdefault_transaction_read_only%3Don"
        with pytest.raises(DatabaseUnavailable) as caught:
            await Store.open(PostgresURL(read_only))
        assert str(caught.value).startswith("cannot write postgresql://")
        assert "read-only transaction" in str(caught.value) and "\n" not in str(caught.value)
    finally:
        postgres.drop_schema(schema)


async def _fill(source: Path) -> None:
    survey = load_survey()
    store = await Store.open(source)
    for n in range(7):
        user = await users.ensure_user(store, 5000 + n, 5000 + n)
        await users.record_consent(store, user.id, True, CONSENT_VERSION)
        response = await responses.start_response(
            store, user.id, survey.id, survey.version, survey.content_hash, None,
            {"group": "women" if n % 2 else "youth", "region": "north"},
        )  # fmt: skip
        await responses.save_rating(store, response.id, "1.1.1", "now", 1, n % 5 + 1, False)
        await responses.save_text(store, response.id, "section:sdg1", f"ý kiến {n} 100%?")
        if n % 3:
            await responses.submit(store, response.id)
    await store.close()


async def _next_id(url: str) -> int:
    copied = await Store.open(PostgresURL(url))
    try:
        return (await users.ensure_user(copied, 6000, 6000)).id
    finally:
        await copied.close()


@server
def test_db_copy_moves_every_row_and_refuses_a_target_with_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    survey = load_survey()
    source = tmp_path / "scorecard.sqlite3"
    asyncio.run(_fill(source))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(source))
    url, schema = postgres.new_schema_url()
    try:
        assert main(["db", "copy", "--to", url]) == 0
        printed = capsys.readouterr().out
        lines = {line.split()[0]: line.split() for line in printed.splitlines()[1:-1]}
        assert lines["ratings"][1:3] == ["7", "7"] and lines["ratings"][-1] == "same"
        assert lines["texts"][3] == lines["texts"][4]  # the checksums
        assert printed.splitlines()[-1].endswith("every table the same")
        with sqlite3.connect(source) as db:
            before = db.execute("SELECT * FROM responses ORDER BY id").fetchall()
        with analytics.snapshot(source) as db:
            published = sorted(stored.cell_sums(db, survey.id, ""), key=repr)
        with analytics.snapshot(url) as db:
            assert [tuple(r) for r in db.execute("SELECT * FROM responses ORDER BY id")] == before
            kept = sorted(stored.cell_sums(db, survey.id, ""), key=repr)
            assert kept == sorted(stored.recounted_sums(db, survey.id, ""), key=repr) == published
            assert kept
        # The copied database goes on: the next person gets the next id.
        assert asyncio.run(_next_id(url)) == 8
        assert main(["db", "copy", "--to", url]) == 2
        error = capsys.readouterr().err
        assert "is not empty: consents (7 rows)" in error and error.endswith("nothing was copied\n")
    finally:
        postgres.drop_schema(schema)


@server
async def test_a_press_postgresql_refuses_says_so_and_the_next_press_after_a_restart_is_saved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A write the server refuses is never acknowledged; connections the server
    dropped (a restart) are replaced by the pool, and the bot goes on by itself."""
    import psycopg

    url, schema = postgres.new_schema_url()
    try:
        async with Harness(make_settings(PostgresURL(url), access={"admins": [9001]})) as harness:
            person = Person(9206, "en")
            await agree(harness, person)
            await answer_profile(harness, person)
            screen = harness.screen(person)
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("ALTER TABLE ratings ADD CONSTRAINT refused CHECK (false) NOT VALID")
            await harness.press_data(person, rating_button(harness, person, "n", "3"), screen)
            answer = harness.telegram.callback_answers()[-1]
            assert answer["show_alert"] is True and "could not be saved" in answer["text"]
            assert harness.screen(person) is screen
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute("ALTER TABLE ratings DROP CONSTRAINT refused")
                # As a server restart does: every other connection is cut.
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            await harness.press_data(person, rating_button(harness, person, "n", "3"), screen)
            assert harness.telegram.callback_answers()[-1].get("show_alert") is not True
            stored_rating = await harness.services.store.fetchone(
                "SELECT value FROM ratings WHERE item_code = ? AND kind = 'now'",
                (harness.services.survey.sections[0].items[0].code,),
            )
            assert stored_rating is not None and stored_rating[0] == 3
        assert "storage failure" in caplog.text and "Traceback" not in caplog.text
    finally:
        postgres.drop_schema(schema)


@server
async def test_statements_fail_fast_while_postgresql_is_down_and_work_once_it_is_back() -> None:
    """The server away for longer than the pool's doubling pauses between
    reconnection attempts would reach (1, 2, 4, 8 s: the next after 15 s):
    statements fail within seconds, then at once, and work within seconds of
    the server's return."""
    from storage import postgres as pg

    url, schema = postgres.new_schema_url()
    store = await Store.open(PostgresURL(url))
    try:
        await store.execute("CREATE TABLE seen (n INTEGER)")
        postgres.server_ctl("stop")
        try:
            failures: list[float] = []
            stopped = time.monotonic()
            while time.monotonic() - stopped < 16:
                began = time.monotonic()
                with pytest.raises(database_errors()):
                    await store.execute("INSERT INTO seen VALUES (1)")
                failures.append(time.monotonic() - began)
                await asyncio.sleep(0.5)
        finally:
            postgres.server_ctl("start")
        started = time.monotonic()
        # The first waits for a connection as long as a press may wait; the rest
        # fail at once, not each after as long again.
        assert failures[0] < pg.WAIT_SECONDS + 1
        assert max(failures[1:]) < pg.WAIT_WHILE_DOWN_SECONDS + 1, failures
        while True:
            try:
                await store.execute("INSERT INTO seen VALUES (2)")
                break
            except database_errors():
                assert time.monotonic() - started < pg.RECONNECT_SECONDS
                await asyncio.sleep(0.2)
        print(
            f"failed in {failures[0]:.1f} s, then {max(failures[1:]):.1f} s at most;"
            f" working again {time.monotonic() - started:.1f} s after the server started"
        )
        assert [tuple(r) for r in await store.fetchall("SELECT n FROM seen")] == [(2,)]
    finally:
        await store.close()
        postgres.drop_schema(schema)


async def test_a_statement_never_runs_inside_another_handlers_transaction(database: Path) -> None:
    """Statements run side by side, but one sent while a transaction is open waits
    for it: a rollback there must not take another respondent's answer with it."""
    survey = load_survey()
    store = await Store.open(database)
    try:
        ids = []
        for telegram_id in (1001, 1002):
            user = await users.ensure_user(store, telegram_id, telegram_id)
            response = await responses.start_response(
                store, user.id, survey.id, survey.version, survey.content_hash, None, {}
            )
            ids.append(response.id)
        began = asyncio.Event()

        async def failing_transaction() -> None:
            async with store.write() as db:
                await db.execute(
                    "INSERT INTO ratings VALUES (?, '1.1.1', 'now', 1, 2, 0, 'x')", (ids[0],)
                )
                began.set()
                await asyncio.sleep(0.05)  # the other handler's answer arrives now
                raise RuntimeError("the first handler fails")

        async def other_answer() -> None:
            await began.wait()
            await responses.save_rating(store, ids[1], "1.1.1", "now", 1, 5, False)

        results = await asyncio.gather(
            failing_transaction(), other_answer(), return_exceptions=True
        )
        assert isinstance(results[0], RuntimeError) and results[1] is None
        rows = await store.fetchall("SELECT response_id, value FROM ratings ORDER BY response_id")
        assert [tuple(row) for row in rows] == [(ids[1], 5)]
    finally:
        await store.close()


@server
async def test_the_first_round_takes_in_a_response_begun_at_the_same_moment() -> None:
    """A worker opens the first round (``ensure_round`` at its start) while another
    worker's person begins their response: that response is in the round, never left
    in none, where their next press could not find it."""
    import psycopg

    url, schema = postgres.new_schema_url()
    survey = load_survey()
    store = await Store.open(PostgresURL(url))
    try:
        user = await users.ensure_user(store, 1003, 1003)
        with psycopg.connect(url) as other_worker:
            other_worker.execute(
                "INSERT INTO responses (user_id, survey_id, survey_version, survey_hash,"
                " started_at, updated_at, mode, round_id)"
                " VALUES (%s, %s, %s, %s, 'now', 'now', 'self', '')",
                (user.id, survey.id, survey.version, survey.content_hash),
            )  # not yet committed
            opening = asyncio.create_task(
                rounds.open_round(store, "2026", "2026", (2026, 2030), survey.content_hash)
            )
            await asyncio.sleep(0.5)
            other_worker.commit()
        await opening
        left = await store.fetchall("SELECT id FROM responses WHERE round_id = ''")
        assert left == []
        assert await responses.get_response(store, user.id, survey.id) is not None
    finally:
        await store.close()
        postgres.drop_schema(schema)


@server
async def test_the_retention_purge_waits_for_an_answer_in_its_cells_instead_of_deadlocking() -> (
    None
):
    """The leader's purge clears the invitation of someone inactive, which moves their
    running totals, while another worker stores an answer of someone active who came
    through the same invitation: neither may be refused as a deadlock."""
    import psycopg

    url, schema = postgres.new_schema_url()
    survey = load_survey()
    store = await Store.open(PostgresURL(url))
    try:
        await store.execute(
            "INSERT INTO invitations (code, label, created_at) VALUES ('fam1', 'Ward 3', 'x')"
        )
        ids = []
        for telegram_id in (1004, 1005):
            user = await users.ensure_user(store, telegram_id, telegram_id)
            await users.set_pending_invitation(store, user.id, "fam1")
            user = await users.ensure_user(store, telegram_id, telegram_id)
            response = await responses.start_response(
                store, user.id, survey.id, survey.version, survey.content_hash, "fam1", {}
            )
            ids.append(response.id)
        inactive, active = ids
        for item in ("1.1.1", "1.2.1"):
            await responses.save_rating(store, inactive, item, "now", 1, 3, False)
        await store.execute("UPDATE users SET created_at = '2000-01-01' WHERE telegram_id = 1004")
        await store.execute(
            "UPDATE responses SET updated_at = '2000-01-01' WHERE id = ?", (inactive,)
        )
        with psycopg.connect(url) as other_worker:
            other_worker.execute(
                "INSERT INTO ratings VALUES (%s, '1.2.1', 'now', 1, 4, 0, 'x')", (active,)
            )  # not yet committed: the active person's transaction goes on
            purging = asyncio.create_task(retention.purge(store, "2001-01-01"))
            await asyncio.sleep(0.5)
            await asyncio.to_thread(
                other_worker.execute,
                "INSERT INTO ratings VALUES (%s, '1.1.1', 'now', 1, 5, 0, 'x')",
                (active,),
            )
            other_worker.commit()
        counts = await purging
        assert counts.people == 1 and counts.response_links == 1
        rows = await store.fetchall("SELECT value FROM ratings WHERE response_id = ?", (active,))
        assert sorted(row[0] for row in rows) == [4, 5]
    finally:
        await store.close()
        postgres.drop_schema(schema)
