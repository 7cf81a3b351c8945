"""What one round's protected publication is computed from: its people and its sums.

Two reads, both for one survey and one round (``''`` before any round
exists): one row per respondent (who consented) with everything a published
row can select on, and the rating sums per combination of those values,
indicator and kind. Nothing here decides what is shown: that is
``reporting.publication``'s job.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from storage.dialect import on_postgres

# The respondent's profile cell (``response_cells``) computed once per response:
# joining the view per rating would run its subqueries once per rating.
_PEOPLE = (
    "WITH c AS MATERIALIZED (SELECT r.id AS response_id, r.mode AS mode,"
    " COALESCE(NULLIF(i.label, ''), '') AS partner, rc.grp, rc.region, rc.area,"
    " r.started_at, r.submitted_at"
    " FROM responses r JOIN consents k ON k.user_id = r.user_id AND k.agreed = 1"
    " JOIN response_cells rc ON rc.response_id = r.id"
    " LEFT JOIN invitations i ON i.code = r.invitation_code"
    " WHERE r.survey_id = ? AND r.round_id = ? AND COALESCE(i.role, 'community') = ?)"
)
# Whose answers a publication is of: the community's, or service providers' own
# self-assessment (a provider invitation, migration 15), never both together.
COMMUNITY, PROVIDER = "community", "provider"


class Person(NamedTuple):
    """One respondent of the round, by what rows select on; never a Telegram id.

    Named tuples, as ``CellSum``: a row read back compares with one kept in C,
    and a million of them are made in a fraction of a second."""

    response_id: int  # internal: never leaves the process
    mode: str
    partner: str  # the invitation's label, '' without one
    group: str  # stored answer: ids joined by spaces, '' unanswered
    region: str
    area: str
    started_at: str
    submitted_at: str | None


class CellSum(NamedTuple):
    """Ratings of one indicator and kind by the people of one combination."""

    mode: str
    partner: str
    group: str
    region: str
    area: str
    sdg: int
    item_code: str
    kind: str
    rated: int
    total: int
    dont_know: int


def people(
    db: sqlite3.Connection, survey_id: str, round_id: str, audience: str = COMMUNITY
) -> list[Person]:
    rows = db.execute(
        _PEOPLE + " SELECT response_id, mode, partner, grp, region, area, started_at,"
        " submitted_at FROM c ORDER BY response_id",
        (survey_id, round_id, audience),
    )
    return list(map(Person._make, rows))


def cell_sums(
    db: sqlite3.Connection, survey_id: str, round_id: str, audience: str = COMMUNITY
) -> list[CellSum]:
    """From ``round_totals`` (migration 14, kept by triggers): one row per combination,
    indicator and kind, invitations read by their label (two codes, one partner)."""
    rows = db.execute(
        "SELECT t.mode, COALESCE(NULLIF(i.label, ''), ''), t.grp, t.region, t.area,"
        " t.sdg, t.item_code, t.kind, t.rated, t.total, t.dont_know"
        " FROM round_totals t LEFT JOIN invitations i ON i.code = t.invitation_code"
        " WHERE t.survey_id = ? AND t.round_id = ? AND (t.rated > 0 OR t.dont_know > 0)"
        " AND COALESCE(i.role, 'community') = ?"
        # The key's order: SQLite's own (no sort), and PostgreSQL's every time, so
        # the same totals are the same list (a warm bot's PublicationCache).
        " ORDER BY t.mode, t.invitation_code, t.grp, t.region, t.area, t.item_code, t.kind",
        (survey_id, round_id, audience),
    ).fetchall()
    # Read in key order, not grouped in SQL (a sort of every row): codes sharing a
    # label are merged here, which almost never happens. Where every invitation
    # has a label of its own, no two rows share a key: nothing to merge.
    distinct = db.execute(
        "SELECT COUNT(*) = COUNT(DISTINCT NULLIF(label, '')) FROM invitations"
    ).fetchone()[0]
    if distinct:
        return list(map(CellSum._make, rows))
    merged: dict[tuple[object, ...], list[int]] = {}
    for row in rows:
        key = (*row[:5], row[6], row[7])
        if key in merged:
            total = merged[key]
            total[1:] = [total[1] + row[8], total[2] + row[9], total[3] + row[10]]
        else:
            merged[key] = [row[5], row[8], row[9], row[10]]
    return [
        CellSum(key[0], key[1], key[2], key[3], key[4], sdg, key[5], key[6], rated, total, dk)  # type: ignore[arg-type]
        for key, (sdg, rated, total, dk) in merged.items()
    ]


def recounted_sums(
    db: sqlite3.Connection, survey_id: str, round_id: str, audience: str = COMMUNITY
) -> list[CellSum]:
    """``cell_sums`` counted again from every rating: what the triggers must equal."""
    rows = db.execute(
        _PEOPLE + " SELECT c.mode, c.partner, c.grp, c.region, c.area, MIN(t.sdg), t.item_code,"
        " t.kind, COUNT(t.value), COALESCE(SUM(t.value), 0),"
        " SUM(t.value IS NULL AND NOT t.skipped)"
        " FROM ratings t JOIN c ON c.response_id = t.response_id"
        " GROUP BY c.mode, c.partner, c.grp, c.region, c.area, t.item_code, t.kind"
        " HAVING COUNT(t.value) > 0 OR SUM(t.value IS NULL AND NOT t.skipped) > 0",
        (survey_id, round_id, audience),
    )
    return [CellSum(*row) for row in rows]


def round_ids(db: sqlite3.Connection) -> list[str]:
    """Rounds oldest first; ``['']`` when no round exists yet (responses hold '')."""
    rows = [row[0] for row in db.execute("SELECT id FROM rounds ORDER BY opens_at, rowid")]
    return rows or [""]


def coordinator_scopes(db: sqlite3.Connection) -> list[str]:
    """The stored scopes (JSON) of active coordinators, each once."""
    return [
        row[0]
        for row in db.execute(
            "SELECT DISTINCT scope FROM coordinators WHERE active = 1 ORDER BY scope"
        )
    ]


def response_versions(db: sqlite3.Connection, survey_id: str, round_id: str) -> dict[int, str]:
    """The survey version each response of the round was given on."""
    rows = db.execute(
        "SELECT id, survey_version FROM responses WHERE survey_id = ? AND round_id = ?",
        (survey_id, round_id),
    )
    return {row[0]: row[1] for row in rows}


def ratings_of(
    db: sqlite3.Connection, response_ids: list[int]
) -> dict[int, list[tuple[int, str, str, int | None]]]:
    """(sdg, indicator, kind, value or None for don't know) per response; skips left out."""
    wanted = set(response_ids)
    result: dict[int, list[tuple[int, str, str, int | None]]] = {}
    rows = db.execute(
        "SELECT response_id, sdg, item_code, kind, value FROM ratings WHERE skipped = 0"
        " ORDER BY response_id, sdg, item_code, kind DESC"
    )
    for response_id, sdg, code, kind, value in rows:
        if response_id in wanted:
            result.setdefault(response_id, []).append((sdg, code, kind, value))
    return result


def rated_responses(db: sqlite3.Connection, survey_id: str, round_id: str) -> set[int]:
    """Responses of the round with at least one rating or don't know (not a skip)."""
    rows = db.execute(
        "SELECT DISTINCT t.response_id FROM ratings t JOIN responses r ON r.id = t.response_id"
        " WHERE r.survey_id = ? AND r.round_id = ? AND t.skipped = 0",
        (survey_id, round_id),
    )
    return {row[0] for row in rows}


def round_mark(db: sqlite3.Connection, survey_id: str, round_id: str) -> tuple[str, int] | None:
    """The round's change mark (migration 20: moved by every stored answer, response,
    consent, invitation or pseudonym change of the round), with the database it is
    of; None when nothing is recorded for the round (read the round itself then).

    Read it *before* what it stands for, in the same transaction: what is read after
    it is then never older than the mark says (PostgreSQL's READ COMMITTED too)."""
    row = db.execute(
        "SELECT mark FROM round_marks WHERE survey_id = ? AND round_id = ?", (survey_id, round_id)
    ).fetchone()
    return None if row is None else (_database_name(db), int(row[0]))


def survey_marks(db: sqlite3.Connection, survey_id: str) -> tuple[str, tuple[object, ...]] | None:
    """Every round's mark (``round_mark``) for the survey: each response is in a round
    that has one (its insert made it, or migration 20 did). None if no round has one."""
    rows = db.execute(
        "SELECT round_id, mark FROM round_marks WHERE survey_id = ? ORDER BY round_id",
        (survey_id,),
    ).fetchall()
    if not rows:
        return None
    return _database_name(db), tuple((str(row[0]), int(row[1])) for row in rows)


def _database_name(db: sqlite3.Connection) -> str:
    """Which database ``db`` is (a copy of a file starts with the file's marks)."""
    if on_postgres(db):
        row = db.execute(
            "SELECT current_database() || '@' || COALESCE(inet_server_addr()::text, 'local')"
            " || ':' || COALESCE(inet_server_port()::text, '')"
        ).fetchone()
        return "postgresql:" + str(row[0])
    return "sqlite:" + next((str(row[2]) for row in db.execute("PRAGMA database_list")), "")


def round_moments(db: sqlite3.Connection, survey_id: str, round_id: str) -> list[str]:
    """Every moment a digest's window is compared with, for the round, sorted: responses
    started and submitted, comments written and spoken. Two windows no moment tells
    apart count the same (``analytics.progress``, ``analytics.comments``)."""
    rows = db.execute(
        "SELECT r.started_at FROM responses r WHERE r.survey_id = ? AND r.round_id = ?"
        " UNION SELECT r.submitted_at FROM responses r WHERE r.survey_id = ? AND r.round_id = ?"
        " AND r.submitted_at IS NOT NULL"
        " UNION SELECT x.answered_at FROM texts x JOIN responses r ON r.id = x.response_id"
        " WHERE r.survey_id = ? AND r.round_id = ?"
        " UNION SELECT v.created_at FROM voice_comments v JOIN responses r ON r.id = v.response_id"
        " WHERE r.survey_id = ? AND r.round_id = ?",
        (survey_id, round_id) * 4,
    )
    return sorted(row[0] for row in rows)
