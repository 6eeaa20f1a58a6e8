"""Events a connection brings in, written through the organizer's calendar functions into a
personal calendar of the member's that the connection makes (and makes again if deleted)."""

from __future__ import annotations

import zoneinfo

from msgspec import UNSET

from appliance.connectors.base import RemoteEvent
from appliance.errors import NotFound
from appliance.knowledge import Knowledge
from appliance.organizer.calendar import calendars, events
from appliance.organizer.calendar.shapes import CalendarCreate, Event, EventCreate, EventUpdate
from appliance.storage import Database

__all__ = ["ensure_calendar", "existing_event", "write_event"]


async def ensure_calendar(db: Database, owner: str, calendar_id: str | None, name: str) -> str:
    """The connection's calendar: the one it made, or a new personal one named `name`."""
    if calendar_id:
        try:
            return (await calendars.get_calendar(db, owner, calendar_id)).id
        except NotFound:
            pass
    return (await calendars.create_calendar(db, owner, CalendarCreate(name=name[:100], shared=False))).id


async def existing_event(db: Database, owner: str, event_id: str) -> Event | None:
    try:
        return await events.get_event(db, owner, event_id)
    except NotFound:  # the member deleted it; a change at the service brings it back
        return None


async def write_event(
    db: Database, knowledge: Knowledge, owner: str, calendar_id: str, current: Event | None, item: RemoteEvent
) -> Event:
    title, tz = item.title[:200] or "(no title)", _zone(item.tz)
    location, description = item.location[:500], item.description[:20_000]
    if current is None or current.calendar_id != calendar_id:
        new = EventCreate(
            calendar_id=calendar_id,
            title=title,
            starts=item.starts,
            ends=item.ends,
            all_day=item.all_day,
            tz=tz,
            rrule=item.rrule,
            location=location,
            description=description,
        )
        if current is not None:
            await events.delete_event(db, knowledge, owner, current.id)
        return await events.create_event(db, knowledge, owner, new)
    change = EventUpdate(
        title=title,
        starts=item.starts,
        ends=item.ends,
        all_day=item.all_day,
        tz=tz or UNSET,
        rrule=item.rrule,
        location=location,
        description=description,
    )
    return await events.update_event(db, knowledge, owner, current.id, change)


def _zone(name: str | None) -> str | None:
    """The service's zone if this box knows it; else the household's."""
    if not name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name
