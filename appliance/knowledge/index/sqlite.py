"""SQLite with FTS5 and sqlite-vec loaded, whichever Python this is.

Some Pythons (pyenv builds among them) lack `enable_load_extension`; the `sqlean` build of
SQLite has it, and FTS5, on every platform. The standard module is used where it can load
extensions (Raspberry Pi OS's system Python), so both work.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlite_vec

__all__ = ["connect", "Connection"]

Connection = Any  # sqlite3.Connection or sqlean's, which has the same interface


def connect(path: Path) -> Connection:
    conn = _driver().connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.enable_load_extension(False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _driver() -> Any:
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import sqlean

    return sqlean
