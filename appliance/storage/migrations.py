"""Numbered SQL migrations (`migrations/NNN_name.sql`), applied in order at start."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from appliance.storage.database import Database, Writer

__all__ = ["Migration", "available_migrations", "apply_migrations", "schema_version"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    folder = resources.files("appliance.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found, key=lambda m: m.version)


def apply_migrations(db: Database) -> list[Migration]:
    """Apply every migration newer than the recorded schema version; return those applied."""
    db.write_sync(_ensure_table)
    current = db.read_sync(_current_version)
    pending = [m for m in available_migrations() if m.version > current]
    for migration in pending:
        db.write_sync(_apply, migration)
    return pending


def schema_version(db: Database) -> int:
    return db.read_sync(_current_version)


def _ensure_table(conn: Writer) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )


def _current_version(conn: Writer) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def _apply(conn: Writer, migration: Migration) -> None:
    conn.execute(migration.sql)
    conn.execute(
        "INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
        [migration.version, migration.name],
    )
