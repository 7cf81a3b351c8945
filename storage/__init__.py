"""SQL and only SQL: the SQLite database (aiosqlite, WAL), its migrations, and one
function per query, returning plain dataclasses. PostgreSQL runs behind the same
functions (``dialect``, ``postgres``, ``schema_pg``; docs/postgresql.md).

May import: nothing of the project (checked by import-linter).
"""
