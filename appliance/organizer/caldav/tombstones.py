"""Deleted here, still on the server: the next sync deletes it there (if nobody changed it meanwhile)."""

from __future__ import annotations

from appliance import clock
from appliance.storage import Reader, Writer

__all__ = ["leave_tombstone", "tombstones_of", "drop_tombstone"]


def leave_tombstone(conn: Writer, calendar_id: str, owner: str | None, href: str, etag: str | None) -> None:
    conn.execute(
        "INSERT INTO organizer_sync_tombstones (calendar_id, owner, href, etag, deleted_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (calendar_id, href) DO UPDATE SET etag = excluded.etag, deleted_at = excluded.deleted_at",
        [calendar_id, owner, href, etag, clock.now()],
    )


def tombstones_of(conn: Reader, calendar_id: str) -> dict[str, str | None]:
    """href → the ETag it had when it was deleted here."""
    rows = conn.execute("SELECT href, etag FROM organizer_sync_tombstones WHERE calendar_id = ?", [calendar_id])
    return {href: etag for href, etag in rows.fetchall()}


def drop_tombstone(conn: Writer, calendar_id: str, href: str) -> None:
    conn.execute("DELETE FROM organizer_sync_tombstones WHERE calendar_id = ? AND href = ?", [calendar_id, href])
