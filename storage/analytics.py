"""Aggregates for digests and results, computed in SQLite.

Ratings are read from ``rating_totals`` (kept by triggers, see migration 10):
a few thousand rows per survey however many respondents answered. Counts of
responses, stopping points and comments come from the response tables.

Functions here are synchronous (``sqlite3``), for worker threads or the CLI:
a digest never blocks the bot's event loop.

Small-cell rule: a mean is suppressed when fewer than ``k`` respondents gave
a rating to the best-covered indicator in it. One indicator's count is exact
(one rating per respondent), and it is a lower bound on the people behind a
pooled (per-goal) mean, so suppression errs on the side of privacy.

Overlapping groups: a profile answer to a multiple-choice question holds the
chosen ids joined by single spaces (``"women ethnic_minority"``, XLSForm's
select_multiple format). Choice ids never contain a space, so every profile
value is read as a list of ids (a single choice is a list of one), and a
scope ``{"group": "women"}`` keeps everyone whose list contains ``women``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from storage.database import connect_sync
from storage.dialect import on_postgres

# Profile questions that break results down, and their rating_totals column.
DIMENSIONS = {"group": "grp", "region": "region", "area": "area"}
Key = TypeVar("Key", bound=Hashable)


def chosen(value: str) -> list[str]:
    """The choice ids of a stored profile answer, in stored order, each once.

    ``""`` (unanswered) is no choice at all; ``"prefer_not"`` is one id.
    """
    return list(dict.fromkeys(value.split()))


def has_choice(value: str, choice: str) -> bool:
    """Whether a stored profile answer contains ``choice`` as a whole id:
    ``"women_leaders"`` does not contain ``"women"``."""
    return choice in value.split()


def _token_sql(column: str) -> str:
    """SQL true when ``column`` contains the bound choice id as a whole word.

    ``instr`` on space-padded strings rather than ``LIKE``: ``_`` in ids such
    as ``ethnic_minority`` is a LIKE wildcard.
    """
    return f"instr(' ' || {column} || ' ', ' ' || ? || ' ') > 0"


@dataclass(frozen=True, slots=True)
class Cell:
    """One row of ``rating_totals``: ratings of one indicator and kind in one cell."""

    group: str
    region: str
    area: str
    sdg: int
    item_code: str
    kind: str
    rated: int
    total: int
    dont_know: int

    def dimension(self, name: str) -> str:
        """The stored answer, e.g. ``"women ethnic_minority"`` for several groups."""
        return {"group": self.group, "region": self.region, "area": self.area}[name]


@dataclass(slots=True)
class Progress:
    """Counts of responses; ``None`` where a published count is withheld (fewer than
    k people: see ``reporting.publication``), never in what is read here."""

    started: int | None = 0
    completed: int | None = 0
    started_in_window: int | None = 0
    completed_in_window: int | None = 0
    durations: list[float] = field(default_factory=list)  # seconds, completed responses
    # label, started, completed
    by_invitation: list[tuple[str, int | None, int | None]] = field(default_factory=list)
    stops: list[tuple[str, str, int]] = field(default_factory=list)  # item, kind, people
    new_comments: int | None = 0
    # mode, started, completed
    by_mode: list[tuple[str, int | None, int | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Comment:
    respondent: str  # users.pseudonym, never a Telegram id
    question_id: str
    text: str
    answered_at: str


@contextlib.contextmanager
def snapshot(database: Path | str) -> Iterator[sqlite3.Connection]:
    """A read-only connection inside one read transaction: every query sees the
    same moment, however many answers arrive meanwhile (WAL)."""
    db = connect(database)
    try:
        db.execute("BEGIN")
        yield db
        db.execute("COMMIT")
    finally:
        db.close()


def connect(database: Path | str) -> sqlite3.Connection:
    """A read-only connection: analysis never writes."""
    return connect_sync(database, read_only=True)


def _scope_sql(scope: Mapping[str, str]) -> tuple[str, list[str]]:
    """EXISTS clauses keeping responses in ``scope`` (question id -> choice):
    those whose answer contains the choice (see the module doc)."""
    clauses, params = [], []
    for question, choice in sorted(scope.items()):
        if question not in DIMENSIONS:
            raise ValueError(f"unknown scope dimension {question!r}")
        clauses.append(
            " AND EXISTS (SELECT 1 FROM profile_answers p WHERE p.response_id = r.id"
            " AND p.question_id = ? AND " + _token_sql("p.choice") + ")"
        )
        params += [question, choice]
    return "".join(clauses), params


# Service providers' self-assessment (a provider invitation) is never counted with
# the community: not in progress, comments or cells (reporting.meeting shows it apart).
PROVIDERS_APART = (
    " AND NOT EXISTS (SELECT 1 FROM invitations pi WHERE pi.code = r.invitation_code"
    " AND pi.role = 'provider')"
)


def _responses_sql(
    survey_id: str, scope: Mapping[str, str], mode: str | None = None, round_id: str | None = None
) -> tuple[str, list[str]]:
    where, params = _scope_sql(scope)
    if mode is not None:  # self, interview or paper: one way of collecting only
        where += " AND r.mode = ?"
        params.append(mode)
    if round_id is not None:  # one round's responses only
        where += " AND r.round_id = ?"
        params.append(round_id)
    sql = (
        " FROM responses r JOIN consents c ON c.user_id = r.user_id AND c.agreed = 1"
        " WHERE r.survey_id = ?" + where + PROVIDERS_APART
    )
    return sql, [survey_id, *params]


def progress(
    db: sqlite3.Connection,
    survey_id: str,
    scope: Mapping[str, str],
    start: str,
    end: str,
    mode: str | None = None,
    round_id: str | None = None,
) -> Progress:
    """Responses started before ``end``, what happened in [start, end), where people stop."""
    base, params = _responses_sql(survey_id, scope, mode, round_id)
    result = Progress()
    row = db.execute(
        "SELECT COUNT(*), COUNT(CASE WHEN r.submitted_at < ? THEN 1 END),"
        " COALESCE(SUM(r.started_at >= ?), 0),"
        " COALESCE(SUM(r.submitted_at >= ? AND r.submitted_at < ?), 0)"
        + base
        + " AND r.started_at < ?",
        [end, start, start, end, *params, end],
    ).fetchone()
    result.started, result.completed, result.started_in_window, result.completed_in_window = row
    result.durations = [
        seconds
        for (seconds,) in db.execute(
            "SELECT (julianday(r.submitted_at) - julianday(r.started_at)) * 86400.0"
            + base
            # Unary plus: a scan beats the index here (one pass, no lookups).
            + " AND +r.submitted_at < ?",
            [*params, end],
        )
    ]
    result.by_invitation = _by_invitation(db, base, params, end)
    result.stops = _stops(db, base, params, end)
    result.by_mode = _by_mode(db, base, params, end)
    result.new_comments = _new_comments(db, base, params, start, end)
    return result


def _by_invitation(
    db: sqlite3.Connection, base: str, params: list[str], end: str
) -> list[tuple[str, int, int]]:
    """Started and completed per invitation label ('' for none), most started first."""
    return [
        (label, started, completed)
        for label, started, completed in db.execute(
            "SELECT COALESCE(NULLIF(i.label, ''), ''), COUNT(*),"
            " COUNT(CASE WHEN r.submitted_at < ? THEN 1 END)"
            + base.replace(
                " WHERE", " LEFT JOIN invitations i ON i.code = r.invitation_code WHERE", 1
            )
            + " AND r.started_at < ? GROUP BY 1 ORDER BY 2 DESC, 1",
            [end, *params, end],
        )
    ]


def _stops(
    db: sqlite3.Connection, base: str, params: list[str], end: str
) -> list[tuple[str, str, int]]:
    """The five most frequent last ratings (item, kind, people) of unfinished responses."""
    # The last rating of each unfinished response: bare columns of MAX() are
    # taken from the row holding the maximum.
    # (PostgreSQL has no bare columns: DISTINCT ON takes the newest row instead.)
    last = (
        "SELECT DISTINCT ON (t.response_id) t.item_code, t.kind"
        if on_postgres(db)
        else "SELECT t.item_code, t.kind, MAX(t.answered_at)"
    )
    return [
        (item, kind, people)
        for item, kind, people in db.execute(
            f"SELECT item_code, kind, COUNT(*) FROM ({last}"
            " FROM ratings t WHERE t.response_id IN (SELECT r.id"
            + base
            + " AND r.started_at < ? AND (r.submitted_at IS NULL OR r.submitted_at >= ?))"
            + (
                # Ties as SQLite breaks them: the first row of the key's order.
                " ORDER BY t.response_id, t.answered_at DESC, t.item_code, t.kind"
                if on_postgres(db)
                else " GROUP BY t.response_id"
            )
            + ") AS last GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 DESC LIMIT 5",
            [*params, end, end],
        )
    ]


def _by_mode(
    db: sqlite3.Connection, base: str, params: list[str], end: str
) -> list[tuple[str, int, int]]:
    """Started and completed per mode of collection."""
    return [
        (mode_, started, completed)
        for mode_, started, completed in db.execute(
            "SELECT r.mode, COUNT(*), COUNT(CASE WHEN r.submitted_at < ? THEN 1 END)"
            + base
            + " AND r.started_at < ? GROUP BY 1 ORDER BY 1",
            [end, *params, end],
        )
    ]


def _new_comments(
    db: sqlite3.Connection, base: str, params: list[str], start: str, end: str
) -> int:
    """Comments written or spoken in [start, end)."""
    # Written and voice comments alike: both are in the workbook's Comments sheet.
    return db.execute(
        "SELECT (SELECT COUNT(*) FROM texts x WHERE x.text IS NOT NULL"
        " AND x.answered_at >= ? AND x.answered_at < ? AND x.response_id IN (SELECT r.id"
        + base
        + ")) + (SELECT COUNT(*) FROM voice_comments v"
        " WHERE v.created_at >= ? AND v.created_at < ? AND v.response_id IN (SELECT r.id"
        + base
        + "))",
        [start, end, *params, start, end, *params],
    ).fetchone()[0]


def comments(
    db: sqlite3.Connection,
    survey_id: str,
    scope: Mapping[str, str],
    start: str,
    end: str,
    limit: int = 20000,
    mode: str | None = None,
    round_id: str | None = None,
) -> list[Comment]:
    """Comments written in [start, end), newest first, keyed by pseudonym."""
    base, params = _responses_sql(survey_id, scope, mode, round_id)
    # Voice comments ride along as a line naming the kept file (relative to the
    # database's folder), its length and Telegram's file id, never a person.
    rows = db.execute(
        "SELECT * FROM (SELECT u.pseudonym, x.question_id, x.text, x.answered_at FROM texts x"
        " JOIN responses r2 ON r2.id = x.response_id JOIN users u ON u.id = r2.user_id"
        " WHERE x.text IS NOT NULL AND x.answered_at >= ? AND x.answered_at < ?"
        " AND x.response_id IN (SELECT r.id" + base + ")"
        " UNION ALL SELECT u.pseudonym, v.question_id,"
        " 'voice: ' || COALESCE(v.path, '') || ' (' || v.duration || ' s, file_id '"
        " || v.file_id || ')', v.created_at FROM voice_comments v"
        " JOIN responses r2 ON r2.id = v.response_id JOIN users u ON u.id = r2.user_id"
        " WHERE v.created_at >= ? AND v.created_at < ?"
        " AND v.response_id IN (SELECT r.id" + base + ")) AS comments"
        " ORDER BY 4 DESC LIMIT ?",
        [start, end, *params, start, end, *params, limit],
    )
    return [Comment(*row) for row in rows]


def rating_cells(
    db: sqlite3.Connection,
    survey_id: str,
    scope: Mapping[str, str],
    mode: str | None = None,
    round_id: str | None = None,
) -> list[Cell]:
    """Every non-empty cell of ``rating_totals`` inside ``scope``: cells whose
    profile value contains the scope's choice, combinations included.

    With a ``mode``, the same cells are summed from the ratings of responses
    collected that way (``rating_totals`` does not know the mode): a scan of
    the ratings, fine for a filtered digest asked for now and then."""
    where, where_c, params = "", "", []
    for question, choice in sorted(scope.items()):
        if question not in DIMENSIONS:
            raise ValueError(f"unknown scope dimension {question!r}")
        where += " AND " + _token_sql(DIMENSIONS[question])
        where_c += " AND " + _token_sql("c." + DIMENSIONS[question])
        params.append(choice)
    if mode is not None or round_id is not None:
        # One round's cells (a round_id) are summed the same way.
        rows = db.execute(
            "SELECT c.grp, c.region, c.area, MIN(t.sdg), t.item_code, t.kind, COUNT(t.value),"
            " COALESCE(SUM(t.value), 0), SUM(t.value IS NULL AND NOT t.skipped)"
            " FROM ratings t JOIN response_cells c ON c.response_id = t.response_id"
            " JOIN responses r ON r.id = t.response_id WHERE c.survey_id = ?"
            " AND (? IS NULL OR r.mode = ?) AND (? IS NULL OR r.round_id = ?)"
            + where_c
            + " GROUP BY c.grp, c.region, c.area, t.item_code, t.kind"
            " HAVING COUNT(t.value) > 0 OR SUM(t.value IS NULL AND NOT t.skipped) > 0",
            [survey_id, mode, mode, round_id, round_id, *params],
        )
        return [Cell(*row) for row in rows]
    rows = db.execute(
        "SELECT grp, region, area, sdg, item_code, kind, rated, total, dont_know"
        " FROM rating_totals WHERE survey_id = ? AND (rated > 0 OR dont_know > 0)" + where,
        [survey_id, *params],
    )
    return [Cell(*row) for row in rows]


def own_sdg_means(db: sqlite3.Connection, response_id: int) -> dict[tuple[int, str], float]:
    """One respondent's mean rating per (goal, kind): shown only to that respondent."""
    rows = db.execute(
        "SELECT sdg, kind, AVG(value) FROM ratings WHERE response_id = ? AND value IS NOT NULL"
        " GROUP BY sdg, kind",
        (response_id,),
    )
    return {(sdg, kind): mean for sdg, kind, mean in rows}


def submitted_response(
    db: sqlite3.Connection, telegram_id: int, survey_id: str
) -> tuple[int, dict[str, str], str] | None:
    """The caller's submitted response id, profile and round id, or None before submitting."""
    row = db.execute(
        "SELECT r.id, r.round_id FROM responses r JOIN users u ON u.id = r.user_id"
        " WHERE u.telegram_id = ? AND r.survey_id = ? AND r.submitted_at IS NOT NULL"
        " ORDER BY r.started_at DESC LIMIT 1",  # the latest round's
        (telegram_id, survey_id),
    ).fetchone()
    if row is None:
        return None
    profile = dict(
        db.execute(
            "SELECT question_id, choice FROM profile_answers WHERE response_id = ?", (row[0],)
        ).fetchall()
    )
    return row[0], profile, row[1]


@dataclass(frozen=True, slots=True)
class SessionScore:
    sdg: int
    item_code: str
    kind: str
    method: str  # consensus, votes or skip
    value: int | None  # the consensus (None: don't know)
    votes: tuple[int, ...] | None  # counts for 1-5 and don't know
    note: str  # the group's reasons for the indicator ("" when none)

    @property
    def mean(self) -> float | None:
        """The group's score: the consensus, or the mean of the votes cast on 1-5."""
        if self.method == "consensus":
            return None if self.value is None else float(self.value)
        if self.method == "votes" and self.votes and sum(self.votes[:5]):
            return sum((i + 1) * n for i, n in enumerate(self.votes[:5])) / sum(self.votes[:5])
        return None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One submitted group session (never a response: never in rating_totals)."""

    pseudonym: str  # S…; never the facilitator
    group: str
    region: str
    area: str
    people: int
    women: int
    men: int
    priorities: str
    recommendations: str
    submitted_at: str
    scores: list[SessionScore]


def session_records(
    db: sqlite3.Connection, survey_id: str, scope: Mapping[str, str]
) -> list[SessionRecord]:
    """Submitted group sessions inside ``scope`` (same choice-id rule as responses)."""
    where, params = "", []
    for question, choice in sorted(scope.items()):
        if question not in DIMENSIONS:
            raise ValueError(f"unknown scope dimension {question!r}")
        where += " AND " + _token_sql("COALESCE(" + DIMENSIONS[question] + ", '')")
        params.append(choice)
    sessions = db.execute(
        "SELECT id, pseudonym, COALESCE(grp, ''), COALESCE(region, ''), COALESCE(area, ''),"
        " COALESCE(people, 0), COALESCE(women, 0), COALESCE(men, 0),"
        " COALESCE(priorities, ''), COALESCE(recommendations, ''), submitted_at"
        " FROM sessions WHERE survey_id = ? AND submitted_at IS NOT NULL"
        + where
        + " ORDER BY submitted_at, id",
        [survey_id, *params],
    ).fetchall()
    records = []
    for session_id, *fields in sessions:
        scores = [
            SessionScore(
                sdg,
                code,
                kind,
                method,
                value,
                tuple(int(n) for n in votes.split()) if votes else None,
                note or "",
            )
            for sdg, code, kind, method, value, votes, note in db.execute(
                "SELECT s.sdg, s.item_code, s.kind, s.method, s.value, s.votes, n.text"
                " FROM session_scores s LEFT JOIN session_notes n"
                " ON n.session_id = s.session_id AND n.item_code = s.item_code"
                " WHERE s.session_id = ? ORDER BY s.item_code, s.kind DESC",
                (session_id,),
            )
        ]
        records.append(SessionRecord(*fields, scores=scores))  # type: ignore[arg-type]
    return records
