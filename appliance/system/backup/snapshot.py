"""A consistent copy of the data folder, in a private staging folder, taken by the database's owner.

The DuckDB copy is made on the one writer thread (`ATTACH` a new file, `COPY FROM DATABASE`), so
no write interleaves; a copy of the live file would not be consistent (and copying it drops
DuckDB's lock). In the same turn of the writer the uploaded documents are hard-linked (copied
where links cannot be made): a document's file is in place before its row commits, so every
document the copy names has its file. The SQLite files (job queue, search index) are copied
with SQLite's backup API, which gives a consistent copy while they are in use.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from appliance.settings import Settings
from appliance.storage import Database, Writer

__all__ = ["take_snapshot"]

_SMALL_FILES = ("master.key", "atom.toml", "backup.recipient")


def take_snapshot(settings: Settings, db: Database, staging: Path) -> None:
    """Fill `staging` (an empty private folder) with what a backup holds, manifest aside."""
    db.write_sync(_copy_database_and_documents, staging / "atom.duckdb", settings.data_dir, staging)
    for name in ("jobs.sqlite3", "knowledge.sqlite3"):
        if (settings.data_dir / name).is_file():
            _copy_sqlite(settings.data_dir / name, staging / name)
    for name in _SMALL_FILES:
        if (settings.data_dir / name).is_file():
            shutil.copy2(settings.data_dir / name, staging / name)
    if (settings.data_dir / "tls").is_dir():
        shutil.copytree(settings.data_dir / "tls", staging / "tls", symlinks=True)


def _copy_database_and_documents(conn: Writer, target: Path, data_dir: Path, staging: Path) -> None:
    """On the writer thread, inside its transaction: nothing else writes meanwhile."""
    row = conn.execute("SELECT current_database()").fetchone()
    assert row is not None
    source = '"' + str(row[0]).replace('"', '""') + '"'
    conn.execute(f"ATTACH '{_quoted(target)}' AS atom_backup_copy")
    try:
        conn.execute(f"COPY FROM DATABASE {source} TO atom_backup_copy")
    finally:
        conn.execute("DETACH atom_backup_copy")
    _link_tree(data_dir / "documents", staging / "documents")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _link_tree(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    target.mkdir(mode=0o700)
    for entry in source.iterdir():
        if entry.is_file() and not entry.is_symlink() and not entry.name.startswith("."):  # not uploads in flight
            _link_or_copy(entry, target / entry.name)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: a copy is as good, only slower
        shutil.copy2(source, target)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy while the file is in use (the worker, the index's writer)."""
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
