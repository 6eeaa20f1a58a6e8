"""The satellites' SQL, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appliance.storage.database import Reader, Writer
from appliance.voice.satellites.shapes import Satellite

_COLUMNS = "id, name, room, user_id, prefix, created_at, last_seen_at"


def insert(conn: Writer, satellite: Satellite, token_hash: str, created_by: str) -> None:
    conn.execute(
        "INSERT INTO voice_satellites (id, name, room, user_id, token_hash, prefix, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            satellite.id,
            satellite.name,
            satellite.room,
            satellite.user_id,
            token_hash,
            satellite.prefix,
            created_by,
            satellite.created_at,
        ],
    )


def visible_to(conn: Reader, user_id: str) -> list[Satellite]:
    """The household's satellites and the member's own."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM voice_satellites WHERE user_id IS NULL OR user_id = ? ORDER BY room, name",
        [user_id],
    ).fetchall()
    return [_satellite(r) for r in rows]


def one(conn: Reader, satellite_id: str) -> Satellite | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM voice_satellites WHERE id = ?", [satellite_id]).fetchone()
    return _satellite(row) if row else None


def by_token(conn: Reader, token_hash: str) -> tuple[Satellite, tuple[Any, ...] | None] | None:
    """The satellite holding this token, and its member's row (None for the household's).

    A member satellite whose member is disabled or gone is not found at all."""
    row = conn.execute(
        f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))},"
        " u.id, u.username, u.display_name, u.role"
        " FROM voice_satellites s LEFT JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND (s.user_id IS NULL OR (u.id IS NOT NULL AND NOT u.disabled))",
        [token_hash],
    ).fetchone()
    if row is None:
        return None
    return _satellite(row[:7]), (row[7:] if row[3] is not None else None)


def active(conn: Reader, satellite_id: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM voice_satellites s LEFT JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND (s.user_id IS NULL OR (u.id IS NOT NULL AND NOT u.disabled))",
        [satellite_id],
    ).fetchone()
    return row is not None


def touch(conn: Writer, satellite_id: str, at: datetime, address: str) -> None:
    conn.execute(
        "UPDATE voice_satellites SET last_seen_at = ?, last_address = ? WHERE id = ?", [at, address, satellite_id]
    )


def update(conn: Writer, satellite_id: str, name: str, room: str, user_id: str | None) -> Satellite | None:
    row = conn.execute(
        f"UPDATE voice_satellites SET name = ?, room = ?, user_id = ? WHERE id = ? RETURNING {_COLUMNS}",
        [name, room, user_id, satellite_id],
    ).fetchone()
    return _satellite(row) if row else None


def delete(conn: Writer, satellite_id: str) -> bool:
    return bool(conn.execute("DELETE FROM voice_satellites WHERE id = ? RETURNING id", [satellite_id]).fetchall())


def _satellite(row: tuple[Any, ...]) -> Satellite:
    return Satellite(
        id=row[0],
        name=row[1],
        room=row[2],
        user_id=row[3],
        prefix=row[4],
        created_at=row[5],
        last_seen_at=row[6],
    )
