"""Events a connection brings in, written through the organizer's calendar functions into a
personal calendar of the member's that the connection makes (and makes again if deleted).

A repeating event's skipped (EXDATE) and changed occurrences become the organizer's own cancelled
and overridden occurrences (`change_occurrence`), so its expansion shows them as the service does;
its dates beside the rule (RDATE) become the event's own. A series is only re-timed when its start,
zone, all-day flag or rule really changed: re-timing drops those occurrences (the organizer's rule),
and a service sends an unchanged exception only once."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from appliance.connectors.base import RemoteEvent, RemoteOccurrence
from appliance.errors import InvalidInput, NotFound
from appliance.knowledge import Knowledge
from appliance.organizer.calendar import calendars, events
from appliance.organizer.calendar.shapes import CalendarCreate, Event, EventCreate, EventUpdate, OccurrenceChange
from appliance.organizer.recurrence import checked_rrule
from appliance.storage import Database

__all__ = ["ensure_calendar", "existing_event", "write_event", "write_occurrence"]


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
        written = await events.create_event(db, knowledge, owner, new)
    else:
        change = EventUpdate(title=title, location=location, description=description, **_retimed(current, item, tz))
        written = await events.update_event(db, knowledge, owner, current.id, change)
    if item.rdates or written.rdates:
        written = await events.set_extra_dates(db, knowledge, owner, written.id, item.rdates[: events.MAX_EXTRA_DATES])
    for skipped in item.exdates:
        await _change(db, knowledge, owner, written, OccurrenceChange(recurrence_id=skipped.isoformat(), cancel=True))
    return await events.get_event(db, owner, written.id) if item.exdates else written


async def write_occurrence(
    db: Database, knowledge: Knowledge, owner: str, series: Event, item: RemoteOccurrence
) -> None:
    """One occurrence of `series` cancelled or changed on its own, as the service has it. One the
    series does not have (any more), or already cancelled, is left as it is."""
    change = OccurrenceChange(
        recurrence_id=item.original_start.isoformat(),
        cancel=item.cancelled,
        title=item.title[:200] if item.title else None,
        location=item.location[:500] if item.location is not None else None,
        description=item.description[:20_000] if item.description is not None else None,
        **_new_timing(series, item),
    )
    await _change(db, knowledge, owner, series, change)


def _new_timing(series: Event, item: RemoteOccurrence) -> dict[str, Any]:
    """Where the occurrence moved: days for an all-day series, times for a timed one. An occurrence
    that became the other kind keeps its place (Atom's overrides keep the series' kind)."""
    if item.cancelled or item.starts is None or item.all_day != series.all_day:
        return {}
    if not item.all_day:
        return {"starts": item.starts, "ends": item.ends}
    last = item.ends.date() if item.ends is not None else item.starts.date()
    return {"day": item.starts.date(), "days": min(max((last - item.starts.date()).days + 1, 1), 366)}


async def _change(db: Database, knowledge: Knowledge, owner: str, series: Event, change: OccurrenceChange) -> None:
    try:
        await events.change_occurrence(db, knowledge, owner, series.id, change)
    except (NotFound, InvalidInput):  # not an occurrence of the series as Atom has it (or cancelled already)
        return


def _retimed(current: Event, item: RemoteEvent, tz: str | None) -> dict[str, Any]:
    """The timing fields that changed at the service; unchanged ones stay out of the update, so the
    series keeps its cancelled and changed occurrences."""
    changes: dict[str, Any] = {}
    if _moved(current, item) or (tz is not None and tz != current.tz):
        changes = {"starts": item.starts, "ends": item.ends, "all_day": item.all_day} | ({"tz": tz} if tz else {})
    elif _end_of(current) != _end_of(item):
        changes = {"ends": item.ends}
    if _rule(item) != current.rrule:
        changes["rrule"] = item.rrule
    return changes


def _moved(current: Event, item: RemoteEvent) -> bool:
    if current.all_day != item.all_day:
        return True
    return current.starts.date() != item.starts.date() if item.all_day else current.starts != item.starts


def _end_of(event: Event | RemoteEvent) -> datetime:
    """The end as an instant, or for an all-day event the midnight after its last day."""
    if isinstance(event, RemoteEvent) and event.all_day:
        return datetime.combine(event.ends.date() + timedelta(days=1), datetime.min.time())
    if event.all_day:
        return datetime.combine(event.ends.date(), datetime.min.time())
    return event.ends


def _rule(item: RemoteEvent) -> str | None:
    """The item's rule as the organizer writes it, to tell a changed rule from a differently spelled one."""
    if item.rrule is None:
        return None
    try:
        return checked_rrule(item.rrule, item.starts)
    except InvalidInput:
        return item.rrule  # not the stored one: the update says what is wrong with it


def _zone(name: str | None) -> str | None:
    """The service's zone if this box knows it; else the household's."""
    if not name:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name
