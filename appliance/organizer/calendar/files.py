"""ICS files in and out: import a calendar file into a calendar, export a calendar as one.

An import adds each UID it holds as an event (its master with its changed instances), or
replaces the event that already has that UID in the calendar; what it cannot use is listed
in the report, never silently dropped.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import icalendar

from appliance.knowledge.knowledge import Knowledge
from appliance.organizer.calendar import queries
from appliance.organizer.calendar.calendars import get_calendar
from appliance.organizer.calendar.events import indexable_event, replace_calendar_object, store_calendar_object
from appliance.organizer.calendar.ical import new_calendar, parse_calendar, summarize
from appliance.organizer.calendar.queries import EventRow
from appliance.organizer.calendar.shapes import Calendar, ImportReport
from appliance.organizer.household import household_zone
from appliance.storage import Database

__all__ = ["MAX_IMPORT_EVENTS", "import_ics", "export_ics", "calendar_file"]

MAX_IMPORT_EVENTS = 5000
_TOO_FREQUENT = {"SECONDLY", "MINUTELY"}


async def import_ics(db: Database, knowledge: Knowledge, viewer: str, calendar_id: str, data: bytes) -> ImportReport:
    calendar = await get_calendar(db, viewer, calendar_id)
    tz = (await household_zone(db)).key
    objects, skipped = await asyncio.to_thread(split_objects, data)
    created = updated = 0
    for ical in objects:
        existing = await db.read(queries.event_by_uid, calendar.id, summarize(ical, tz).uid)
        row = await _store(db, calendar, ical, existing, viewer, tz)
        await knowledge.index(indexable_event(row))
        created, updated = (created, updated + 1) if existing else (created + 1, updated)
    return ImportReport(created=created, updated=updated, skipped=skipped)


async def export_ics(db: Database, viewer: str, calendar_id: str) -> bytes:
    calendar = await get_calendar(db, viewer, calendar_id)
    rows = await db.read(queries.all_event_rows, calendar.id)
    return await asyncio.to_thread(calendar_file, calendar.name, rows)


def calendar_file(name: str, rows: list[EventRow]) -> bytes:
    """One VCALENDAR of these events, with the VTIMEZONE of every zone they use."""
    combined = new_calendar()
    combined.add("X-WR-CALNAME", name)
    zones: dict[str, icalendar.Component] = {}
    for row in rows:
        for component in icalendar.Calendar.from_ical(row.ics).subcomponents:
            if isinstance(component, icalendar.Timezone):
                zones.setdefault(str(component.get("TZID")), component)
            else:
                combined.add_component(component)
    for component in zones.values():
        combined.add_component(component)
    combined.add_missing_timezones()
    return combined.to_ical()


def split_objects(data: bytes) -> tuple[list[icalendar.Calendar], list[str]]:
    """One calendar object per UID (with the time zones it names), and what was left out, and why."""
    parsed = parse_calendar(data)
    zones = {str(z.get("TZID")): z for z in parsed.walk("VTIMEZONE")}
    groups: dict[str, list[icalendar.Component]] = defaultdict(list)
    skipped: list[str] = []
    for event in parsed.walk("VEVENT"):
        reason = _unusable(event)
        if reason:
            skipped.append(f"{str(event.get('SUMMARY', '(untitled)'))[:80]}: {reason}")
            continue
        groups[str(event["UID"])].append(event)
    if len(groups) > MAX_IMPORT_EVENTS:
        skipped.append(f"{len(groups) - MAX_IMPORT_EVENTS} events past the first {MAX_IMPORT_EVENTS}")
    objects = [_object(events, zones) for events in list(groups.values())[:MAX_IMPORT_EVENTS]]
    return objects, skipped


def _object(events: list[icalendar.Component], zones: dict[str, icalendar.Component]) -> icalendar.Calendar:
    text = b"".join(e.to_ical() for e in events)
    used = [z for tzid, z in zones.items() if f"TZID={tzid}".encode() in text or f'TZID="{tzid}"'.encode() in text]
    return new_calendar([*used, *events])


def _unusable(event: icalendar.Component) -> str | None:
    if "UID" not in event:
        return "it has no UID"
    if "DTSTART" not in event:
        return "it has no start"
    rule = event.get("RRULE")
    if rule is not None and set(rule.get("FREQ", [])) & _TOO_FREQUENT:
        return "it repeats more often than hourly"
    unreadable = [name for name in ("RDATE", "EXDATE") if not _dates_readable(event, name)]
    if unreadable:  # its series would never show in the calendar
        return f"its {' and '.join(unreadable)} dates cannot be read"
    return None


def _dates_readable(event: icalendar.Component, name: str) -> bool:
    found = event.get(name)
    values = found if isinstance(found, list) else [] if found is None else [found]
    try:
        for dates in values:
            dates.dts  # noqa: B018 - icalendar raises here for a value it could not parse
    except ValueError:  # BrokenCalendarProperty
        return False
    return True


async def _store(
    db: Database, calendar: Calendar, ical: icalendar.Calendar, existing: EventRow | None, viewer: str, tz: str
) -> EventRow:
    if existing is None:
        return await store_calendar_object(db, calendar, ical, viewer, tz)
    return await replace_calendar_object(db, existing, ical)
