"""The admins' Wyoming address list, in SQL."""

from __future__ import annotations

from typing import Any

from appliance.storage.database import Reader, Writer
from appliance.voice.allowed.shapes import AllowedAddress

_COLUMNS = "id, address, added_at"


def all_addresses(conn: Reader) -> list[AllowedAddress]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM voice_allowed_addresses ORDER BY added_at, address").fetchall()
    return [_address(r) for r in rows]


def insert(conn: Writer, entry: AllowedAddress, added_by: str) -> bool:
    """False when the address is listed already."""
    found = conn.execute(
        "INSERT INTO voice_allowed_addresses (id, address, added_by, added_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (address) DO NOTHING RETURNING id",
        [entry.id, entry.address, added_by, entry.added_at],
    ).fetchall()
    return bool(found)


def delete(conn: Writer, entry_id: str) -> bool:
    return bool(conn.execute("DELETE FROM voice_allowed_addresses WHERE id = ? RETURNING id", [entry_id]).fetchall())


def _address(row: tuple[Any, ...]) -> AllowedAddress:
    return AllowedAddress(id=row[0], address=row[1], added_at=row[2])
