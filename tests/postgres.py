"""The PostgreSQL half of the suite: a fresh schema per test on the server that
``SCORECARD_TEST_POSTGRES`` names (``.ci/postgres`` starts one and sets it).

Without the variable the suite runs on SQLite alone, as before. With it, every
test whose ``database`` fixture is in :data:`SELECTED` runs twice, on SQLite
and on PostgreSQL; the others stay SQLite only (they read the database file
itself, or their PostgreSQL run is not yet worth CI's time).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from storage.dialect import PostgresURL

SERVER = os.environ.get("SCORECARD_TEST_POSTGRES", "")
# A script that stops and starts that server (``.ci/postgres`` writes it): ``CTL stop``.
CTL = os.environ.get("SCORECARD_TEST_POSTGRES_CTL", "")
needs_server = pytest.mark.skipif(
    not SERVER, reason="no PostgreSQL server: SCORECARD_TEST_POSTGRES is not set (.ci/postgres)"
)
# SCORECARD_TEST_POSTGRES_ALL=1: every test that takes the database fixture, to see
# which run on PostgreSQL (docs/postgresql.md lists them).
EVERYTHING = os.environ.get("SCORECARD_TEST_POSTGRES_ALL") == "1"

# Test files (paths from the repository root) that run on both backends.
SELECTED = (
    "tests/test_storage_postgres.py",
    "tests/privacy/test_round_totals.py",
    "tests/test_journey.py",
    "tests/test_gate.py",
    "tests/test_callbacks.py",
    "tests/test_review.py",
    "tests/test_skip_logic.py",
    "tests/test_facilitation.py",
    "tests/test_retention.py",
    "tests/test_safeguards.py",
    "tests/digest/test_analysis.py",
    "tests/digest/test_tables.py",
    "tests/digest/test_suppression.py",
    "tests/digest/test_commands.py",
    "tests/digest/test_schedule.py",
    "tests/digest/test_cli.py",
    "tests/digest/test_modes.py",
    "tests/digest/test_reference.py",
    "tests/digest/test_warm_digest.py",
    "tests/outreach/test_broadcasts.py",
    "tests/outreach/test_invitations.py",
    "tests/outreach/test_reminders_and_stop.py",
    "tests/test_anonymise.py",
    "tests/test_webhook.py",
    "tests/actions/test_chat.py",
    "tests/actions/test_followup.py",
    "tests/e2e/test_webhook_workers.py",
    "tests/e2e/test_webhook_postgres.py",
)

_schemas = itertools.count(1)


class TestURL(PostgresURL):
    """A test's PostgreSQL URL, with the folder a SQLite test's file would be in
    (tests keep surveys and exports beside the database)."""

    parent: Path
    __test__ = False  # not a test class, whatever its name

    def __new__(cls, url: str, folder: Path) -> TestURL:
        made = super().__new__(cls, url)
        made.parent = folder
        folder.mkdir(parents=True, exist_ok=True)
        return made


def new_schema_url() -> tuple[str, str]:
    """A URL whose connections use a new, empty schema, and the schema's name."""
    import psycopg

    name = f"t{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    separator = "&" if "?" in SERVER else "?"
    options = urllib.parse.quote(f"-csearch_path={name}")
    return f"{SERVER}{separator}options={options}", name


def drop_schema(name: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


@contextmanager
def fresh_schema(folder: Path) -> Iterator[TestURL]:
    """A new, empty schema on the server for one test (dropped afterwards)."""
    url, schema = new_schema_url()
    try:
        yield TestURL(url, folder)
    finally:
        drop_schema(schema)


def server_ctl(action: str) -> None:
    """``stop`` (fast: every session cut) or ``start`` the test server, data kept."""
    if not CTL:
        pytest.skip("SCORECARD_TEST_POSTGRES_CTL is not set: .ci/postgres sets it")
    subprocess.run([CTL, action], check=True, timeout=60)
