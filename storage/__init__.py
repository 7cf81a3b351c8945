"""SQL and only SQL: the SQLite database (aiosqlite, WAL), its migrations, and one
function per query, returning plain dataclasses.

May import: nothing of the project (checked by import-linter).
"""
