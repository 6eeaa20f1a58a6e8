"""The sync's SQL: what each synced item's bookkeeping is, and changing it without touching its content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from appliance import clock
from appliance.storage import Reader, Writer

__all__ = [
    "Kind",
    "Local",
    "local_items",
    "mark_synced",
    "forget_href",
    "set_conflict",
    "record_sync",
    "sync_token",
    "linked_calendars",
    "due_calendars",
    "set_sync_minutes",
    "TABLES",
]

Kind = Literal["event", "task"]
TABLES: dict[Kind, str] = {"event": "organizer_events", "task": "organizer_tasks"}


@dataclass(frozen=True)
class Local:
    """One of the calendar's items, as the sync sees it."""

    kind: Kind
    id: str
    uid: str
    href: str | None
    etag: str | None
    dirty: bool
    updated_at: datetime
    conflict: str | None


def local_items(conn: Reader, calendar_id: str) -> list[Local]:
    items = []
    for kind, table in TABLES.items():
        rows = conn.execute(
            f"SELECT id, uid, href, etag, dirty, updated_at, conflict FROM {table} WHERE calendar_id = ? ORDER BY id",
            [calendar_id],
        ).fetchall()
        items += [Local(kind, *row) for row in rows]
    return items


def mark_synced(conn: Writer, item: Local, href: str, etag: str | None, sent: bytes) -> None:
    """Sent: remember where and which version; clean unless it changed here while it was being sent.
    A task keeps the VTODO sent, the version both sides now share (an event's object is already kept)."""
    table = TABLES[item.kind]
    conn.execute(f"UPDATE {table} SET href = ?, etag = ? WHERE id = ?", [href, etag, item.id])
    if item.kind == "task":
        conn.execute("UPDATE organizer_tasks SET ics = ? WHERE id = ?", [sent.decode(), item.id])
    conn.execute(f"UPDATE {table} SET dirty = false WHERE id = ? AND updated_at = ?", [item.id, item.updated_at])


def forget_href(conn: Writer, item: Local, conflict: str) -> None:
    """Gone from the server but changed here: send it again as new, and say so."""
    conn.execute(
        f"UPDATE {TABLES[item.kind]} SET href = NULL, etag = NULL, dirty = true, conflict = ? WHERE id = ?",
        [conflict, item.id],
    )


def set_conflict(conn: Writer, item: Local, conflict: str, etag: str | None) -> None:
    """Both sides changed and ours was newer: ours goes out over the server's version `etag`."""
    conn.execute(f"UPDATE {TABLES[item.kind]} SET conflict = ?, etag = ? WHERE id = ?", [conflict, etag, item.id])


def record_sync(
    conn: Writer, calendar_id: str, token: str | None, error: str | None, advice: str | None = None
) -> None:
    values: list[Any] = [clock.now(), error, advice, calendar_id]
    if error is None:
        conn.execute(
            "UPDATE organizer_calendars SET sync_token = ?, synced_at = ?, sync_error = ?, sync_advice = ?"
            " WHERE id = ?",
            [token, *values],
        )
    else:
        conn.execute(
            "UPDATE organizer_calendars SET synced_at = ?, sync_error = ?, sync_advice = ? WHERE id = ?", values
        )


def sync_token(conn: Reader, calendar_id: str) -> str | None:
    row = conn.execute("SELECT sync_token FROM organizer_calendars WHERE id = ?", [calendar_id]).fetchone()
    return row[0] if row else None


def linked_calendars(conn: Reader) -> list[str]:
    rows = conn.execute("SELECT id FROM organizer_calendars WHERE caldav_account IS NOT NULL ORDER BY id").fetchall()
    return [r[0] for r in rows]


def due_calendars(conn: Reader, now: datetime, default_minutes: int) -> list[str]:
    """Linked calendars whose interval has passed since their last sync (or that never synced)."""
    rows = conn.execute(
        "SELECT id, synced_at, sync_minutes FROM organizer_calendars WHERE caldav_account IS NOT NULL ORDER BY id"
    ).fetchall()
    return [r[0] for r in rows if r[1] is None or r[1] + timedelta(minutes=r[2] or default_minutes) <= now]


def set_sync_minutes(conn: Writer, calendar_id: str, minutes: int | None) -> None:
    conn.execute("UPDATE organizer_calendars SET sync_minutes = ? WHERE id = ?", [minutes, calendar_id])
