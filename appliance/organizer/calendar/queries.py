"""Calendars' and events' SQL, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appliance.organizer.calendar.shapes import CalDAVLink, Calendar
from appliance.organizer.scope import VISIBLE
from appliance.storage import Reader, Writer

__all__ = [
    "EventRow",
    "visible_calendars",
    "one_calendar",
    "insert_calendar",
    "update_calendar",
    "delete_calendar",
    "event_row",
    "event_rows",
    "event_by_uid",
    "all_event_rows",
    "insert_event",
    "update_event",
    "delete_event",
]

_CALENDAR = (
    "SELECT id, name, color, owner, created_by, created_at, updated_at, caldav_account, remote_url, synced_at,"
    " sync_error, sync_advice, sync_minutes FROM organizer_calendars"
)
_EVENT_COLUMNS = (
    "id, calendar_id, owner, uid, title, tz, ics, created_by, created_at, updated_at, conflict, href, etag, dirty"
)
_EVENT = f"SELECT {_EVENT_COLUMNS} FROM organizer_events"


def _calendar(row: tuple[Any, ...]) -> Calendar:
    link = (
        CalDAVLink(
            account_id=row[7],
            remote_url=row[8],
            synced_at=row[9],
            sync_error=row[10],
            sync_advice=row[11],
            sync_minutes=row[12],
        )
        if row[7]
        else None
    )
    return Calendar(
        id=row[0],
        name=row[1],
        color=row[2],
        owner_id=row[3],
        shared=row[3] is None,
        created_by=row[4],
        created_at=row[5],
        updated_at=row[6],
        caldav=link,
    )


def visible_calendars(conn: Reader, viewer: str) -> list[Calendar]:
    rows = conn.execute(f"{_CALENDAR} WHERE {VISIBLE} ORDER BY owner NULLS FIRST, created_at, id", [viewer])
    return [_calendar(r) for r in rows.fetchall()]


def one_calendar(conn: Reader, calendar_id: str) -> Calendar | None:
    row = conn.execute(f"{_CALENDAR} WHERE id = ?", [calendar_id]).fetchone()
    return _calendar(row) if row else None


def insert_calendar(conn: Writer, calendar: Calendar) -> None:
    conn.execute(
        "INSERT INTO organizer_calendars (id, owner, name, color, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            calendar.id,
            calendar.owner_id,
            calendar.name,
            calendar.color,
            calendar.created_by,
            calendar.created_at,
            calendar.updated_at,
        ],
    )


def update_calendar(conn: Writer, calendar: Calendar) -> None:
    conn.execute(
        "UPDATE organizer_calendars SET name = ?, color = ?, updated_at = ? WHERE id = ?",
        [calendar.name, calendar.color, calendar.updated_at, calendar.id],
    )


def delete_calendar(conn: Writer, calendar_id: str) -> list[str]:
    """Its events go with it (ids returned); its tasks stay, in no calendar. The server keeps its copy."""
    ids = conn.execute("DELETE FROM organizer_events WHERE calendar_id = ? RETURNING id", [calendar_id]).fetchall()
    conn.execute("UPDATE organizer_tasks SET calendar_id = NULL WHERE calendar_id = ?", [calendar_id])
    conn.execute("DELETE FROM organizer_sync_tombstones WHERE calendar_id = ?", [calendar_id])
    conn.execute("DELETE FROM organizer_calendars WHERE id = ?", [calendar_id])
    return [i for (i,) in ids]


class EventRow:
    """An event as stored: its iCalendar text and the bookkeeping around it."""

    __slots__ = (
        "id",
        "calendar_id",
        "owner",
        "uid",
        "title",
        "tz",
        "ics",
        "created_by",
        "created_at",
        "updated_at",
        "conflict",
        "href",
        "etag",
        "dirty",
    )

    def __init__(self, row: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, row, strict=True):
            setattr(self, name, value)

    id: str
    calendar_id: str
    owner: str | None
    uid: str
    title: str
    tz: str
    ics: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    conflict: str | None
    href: str | None
    etag: str | None
    dirty: bool


def event_row(conn: Reader, event_id: str) -> EventRow | None:
    row = conn.execute(f"{_EVENT} WHERE id = ?", [event_id]).fetchone()
    return EventRow(row) if row else None


def event_by_uid(conn: Reader, calendar_id: str, uid: str) -> EventRow | None:
    row = conn.execute(f"{_EVENT} WHERE calendar_id = ? AND uid = ?", [calendar_id, uid]).fetchone()
    return EventRow(row) if row else None


def event_rows(conn: Reader, calendar_ids: list[str], start: datetime, end: datetime) -> list[EventRow]:
    """Events of these calendars that may fall in [start, end): repeating ones always (expansion decides)."""
    if not calendar_ids:
        return []
    marks = ", ".join("?" for _ in calendar_ids)
    rows = conn.execute(
        f"{_EVENT} WHERE calendar_id IN ({marks}) AND (recurring OR (starts_at < ? AND ends_at > ?))"
        " ORDER BY starts_at, id",
        [*calendar_ids, end, start],
    )
    return [EventRow(r) for r in rows.fetchall()]


def all_event_rows(conn: Reader, calendar_id: str | None = None) -> list[EventRow]:
    where, params = (" WHERE calendar_id = ?", [calendar_id]) if calendar_id else ("", [])
    return [EventRow(r) for r in conn.execute(f"{_EVENT}{where} ORDER BY id", params).fetchall()]


def insert_event(conn: Writer, values: dict[str, Any]) -> None:
    names = ", ".join(values)
    conn.execute(
        f"INSERT INTO organizer_events ({names}) VALUES ({', '.join('?' for _ in values)})", list(values.values())
    )


def update_event(conn: Writer, event_id: str, values: dict[str, Any]) -> None:
    assignments = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE organizer_events SET {assignments} WHERE id = ?", [*values.values(), event_id])


def delete_event(conn: Writer, event_id: str) -> EventRow | None:
    row = conn.execute(f"DELETE FROM organizer_events WHERE id = ? RETURNING {_EVENT_COLUMNS}", [event_id]).fetchone()
    return EventRow(row) if row else None
