"""Which database a ``[storage] database`` setting names, and SQLite's SQL as
PostgreSQL reads it.

Storage functions are written once, in SQLite's dialect, with ``?``
placeholders. On PostgreSQL, :func:`translate` rewrites each statement once
(cached) into the few constructs that differ: ``%s`` placeholders,
``INSERT OR IGNORE``, an upsert's conflict target (PostgreSQL needs it named),
``IS [NOT]`` between values, scalar ``MIN``/``MAX``, integer flags used as
booleans (``NOT skipped``, ``SUM(a > b)``), ``instr``, ``julianday``, JSON
aggregates and ``rowid``. Anything else is standard SQL both understand.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class DatabaseUnavailable(Exception):
    """The database cannot be opened, migrated or written: a configuration problem
    (raised by storage.database and storage.postgres alike)."""


class PostgresURL(str):
    """A ``postgresql://`` connection string (a :class:`str`, never a :class:`Path`:
    ``Path`` would fold its ``//``)."""

    @property
    def redacted(self) -> str:
        """The URL without its password, for messages and logs."""
        return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(self))


def is_postgres(database: object) -> bool:
    return isinstance(database, str) and database.startswith(POSTGRES_SCHEMES)


def on_postgres(connection: object) -> bool:
    """Whether a connection is storage.postgres's (for the rare statement written twice)."""
    return type(connection).__name__ in ("SyncPostgres", "AsyncPostgres")


def parse_database(value: object) -> Path | PostgresURL:
    """The setting's value: a PostgreSQL URL, else a SQLite file path."""
    if isinstance(value, PostgresURL):
        return value
    if is_postgres(value):
        return PostgresURL(value)
    if isinstance(value, str | Path):
        return Path(value)
    raise ValueError("must be a file path or a postgresql:// URL")


def describe(database: Path | str) -> str:
    """How a database is named in messages: a path, or a URL without its password."""
    return database.redacted if isinstance(database, PostgresURL) else str(database)


# The conflict target of each table an upsert writes to without naming one:
# its primary key (SQLite takes the one constraint; PostgreSQL asks which).
CONFLICT_TARGETS = {
    "users": "(telegram_id)",
    "consents": "(user_id)",
    "profile_answers": "(response_id, question_id)",
    "ratings": "(response_id, item_code, kind)",
    "texts": "(response_id, question_id)",
    "choices": "(response_id, question_id)",
    "rating_totals": "(survey_id, grp, region, area, item_code, kind)",
    "round_totals": (
        "(survey_id, round_id, mode, invitation_code, grp, region, area, item_code, kind)"
    ),
    "coordinators": "(telegram_id)",
    "digest_deliveries": "(telegram_id, window_end)",
    "broadcast_recipients": "(broadcast_id, chat_id)",
    "reminders": "(response_id)",
    "guardian_consents": "(user_id)",
    "guardian_links": "(token_hash)",
    "facilitators": "(telegram_id)",
    "session_scores": "(session_id, item_code, kind)",
    "session_notes": "(session_id, item_code)",
    "facilitator_focus": "(facilitator_id)",
    "paper_forms": "(form_id)",
    "survey_versions": "(hash)",
    "rounds": "(id)",
    "invitations": "(code)",
}

# Keywords are upper case in this code base: "is" inside a quoted text stays.
_FLAG = re.compile(r"\bNOT\s+((?:\w+\.)?(?:skipped|done|agreed|active))\b")
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)")
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)")
_BARE_FLAG = re.compile(
    r"\b(OR|AND|WHERE|\()\s*((?:\w+\.)?(?:skipped|done|agreed|active))\s*(?=$|OR\b|AND\b|\))"
)
_COLUMN = re.compile(r"(?<![\w.'])([a-z_][a-z0-9_]*)\b(?![.(\w])")
_COMPARISON = re.compile(r"(?:[<>=]|\bIS\b|\bAND\b|\bOR\b|\bNOT\b)", re.IGNORECASE)
_INSERT_TABLE = re.compile(r"^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(\w+)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """``sql`` (SQLite's dialect, ``?`` placeholders) as PostgreSQL reads it (``%s``)."""
    stripped = sql.strip().rstrip(";")
    upper = stripped.upper()
    if upper in ("BEGIN", "BEGIN DEFERRED", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"):
        return "BEGIN"
    out = sql
    table = _INSERT_TABLE.match(out)
    if re.match(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO", out, re.IGNORECASE):
        out = re.sub(r"INSERT\s+OR\s+IGNORE\s+INTO", "INSERT INTO", out, count=1, flags=re.I)
        out = _before_returning(out, " ON CONFLICT DO NOTHING")
    if table and table.group(1) in CONFLICT_TARGETS:
        out = re.sub(
            r"\bON\s+CONFLICT\s+DO\s+UPDATE",
            f"ON CONFLICT {CONFLICT_TARGETS[table.group(1)]} DO UPDATE",
            out,
            flags=re.IGNORECASE,
        )
    if table:
        out = _qualify_upsert(out, table.group(1))
    out = _IS_NOT.sub("IS DISTINCT FROM ", out)
    out = _IS.sub("IS NOT DISTINCT FROM ", out)
    out = _FLAG.sub(r"\1 = 0", out)
    out = _BARE_FLAG.sub(r"\1 \2 <> 0 ", out)
    out = re.sub(r"\blast_insert_rowid\(\)", "lastval()", out, flags=re.IGNORECASE)
    out = re.sub(r"\binstr\(", "strpos(", out, flags=re.IGNORECASE)
    out = re.sub(r"\bjson_group_object\(", "json_object_agg(", out, flags=re.IGNORECASE)
    out = re.sub(r"\bjson_group_array\(", "json_agg(", out, flags=re.IGNORECASE)
    out = re.sub(r"\bjson_array\(", "json_build_array(", out, flags=re.IGNORECASE)
    out = re.sub(
        r"\bjulianday\(([\w.]+)\)",
        r"(EXTRACT(EPOCH FROM CAST(\1 AS timestamptz)) / 86400.0)",
        out,
        flags=re.IGNORECASE,
    )
    out = re.sub(r"\browid\b", "ctid", out)
    out = re.sub(r"\btemp\.(?=\w)", "pg_temp.", out)
    # An empty list: SQLite allows IN (); PostgreSQL compares with an empty array.
    out = re.sub(r"\bNOT\s+IN\s*\(\s*\)", "<> ALL('{}')", out)
    out = re.sub(r"\bIN\s*\(\s*\)", "= ANY('{}')", out)
    # SQLite's unary plus keeps a column off its index; PostgreSQL has no +text.
    out = re.sub(r"(\s)\+(?=[a-z_]\w*\.\w)", r"\1", out)
    out = _calls(out, _scalar_min_max)
    out = _calls(out, _sum_of_condition)
    return _placeholders(out)


def _qualify_upsert(sql: str, table: str) -> str:
    """Columns named bare in ``DO UPDATE SET ... WHERE ...`` as ``table.column``:
    PostgreSQL finds them ambiguous (the row, or ``excluded``); SQLite takes the row.
    Column names are lower case in this code base, keywords upper case."""
    match = re.search(r"\bDO\s+UPDATE\s+SET\b", sql)
    if match is None:
        return sql
    head, tail = sql[: match.end()], sql[match.end() :]
    returning = re.search(r"\bRETURNING\b", tail)
    rest = ""
    if returning:
        tail, rest = tail[: returning.start()], tail[returning.start() :]
    where = re.search(r"\bWHERE\b", tail)
    assignments, condition = (tail[: where.start()], tail[where.start() :]) if where else (tail, "")

    def qualify(text: str) -> str:
        pieces = re.split(r"('[^']*')", text)  # leave quoted texts alone
        return "".join(
            piece if piece.startswith("'") else
            _COLUMN.sub(lambda m: m.group(1) if m.group(1) == "excluded" else f"{table}.{m.group(1)}", piece)
            for piece in pieces
        )

    parts, _flat = _top_level(assignments)
    rewritten = []
    for part in parts:
        column, equals, value = part.partition("=")
        rewritten.append(f"{column}{equals}{qualify(value)}" if equals else part)
    return head + ",".join(rewritten) + qualify(condition) + rest


def _before_returning(sql: str, clause: str) -> str:
    match = re.search(r"\bRETURNING\b", sql, re.IGNORECASE)
    if match is None:
        return sql.rstrip().rstrip(";") + clause
    return sql[: match.start()] + clause.strip() + " " + sql[match.start() :]


def _placeholders(sql: str) -> str:
    """``?`` to ``%s`` and ``%`` to ``%%``, outside quoted strings and names."""
    out, quote = [], ""
    for char in sql:
        if quote:
            if char == quote:
                quote = ""
            out.append("%%" if char == "%" else char)
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def _closing(sql: str, start: int) -> int:
    """Index of the parenthesis closing the one opened just before ``start``."""
    depth, quote = 1, ""
    for index in range(start, len(sql)):
        char = sql[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced parentheses in {sql!r}")


def _top_level(inner: str) -> tuple[list[str], str]:
    """``inner`` split at its top-level commas, and its text with nested parts blanked."""
    parts, depth, quote, current, flat = [], 0, "", [], []
    for char in inner:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            flat.append(",")
            continue
        current.append(char)
        flat.append(char if depth == 0 and not quote else " ")
    parts.append("".join(current))
    return parts, "".join(flat)


def _calls(sql: str, rewrite) -> str:  # type: ignore[no-untyped-def]
    """Apply ``rewrite(name, inner) -> str | None`` to every function call, innermost first."""
    pattern = re.compile(r"\b(\w+)\(")
    position = 0
    while True:
        match = pattern.search(sql, position)
        if match is None:
            return sql
        end = _closing(sql, match.end())
        inner = _calls(sql[match.end() : end], rewrite)
        replaced = rewrite(match.group(1), inner)
        call = replaced if replaced is not None else f"{match.group(1)}({inner})"
        sql = sql[: match.start()] + call + sql[end + 1 :]
        position = match.start() + len(call)


def _scalar_min_max(name: str, inner: str) -> str | None:
    if name.upper() not in ("MIN", "MAX"):
        return None
    parts, _flat = _top_level(inner)
    if len(parts) < 2:
        return None
    return f"{'LEAST' if name.upper() == 'MIN' else 'GREATEST'}({inner})"


def _sum_of_condition(name: str, inner: str) -> str | None:
    """SQLite sums conditions as 0/1; PostgreSQL sums numbers only."""
    if name.upper() != "SUM":
        return None
    _parts, flat = _top_level(inner)
    if not _COMPARISON.search(flat):
        return None
    return f"SUM(CASE WHEN {inner} THEN 1 ELSE 0 END)"
