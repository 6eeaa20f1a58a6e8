"""Events: one-off or repeating, timed in their own zone or all-day, in a household or personal calendar.

An event in a household calendar is every member's to read and change; one in a personal calendar
is its owner's alone. Repeats are RRULEs; a single occurrence is cancelled (EXDATE) or changed on
its own (an overridden instance; an all-day one moves by whole days, its dates staying dates), as
RFC 5545 says; dates beside the rule (RDATE) come from outside (a sync, an import). Every event is
one record in the knowledge index.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import msgspec
from msgspec import UNSET

from appliance import clock
from appliance.errors import InvalidInput, NotFound
from appliance.knowledge.knowledge import Knowledge
from appliance.knowledge.records import Indexable
from appliance.organizer.caldav.tombstones import leave_tombstone
from appliance.organizer.calendar import queries
from appliance.organizer.calendar.calendars import EVENT, get_calendar
from appliance.organizer.calendar.components import (
    change_instance,
    dates_of,
    instance_of,
    set_text,
    set_timing,
)
from appliance.organizer.calendar.expand import find_occurrence
from appliance.organizer.calendar.ical import (
    as_moment,
    master_of,
    new_calendar,
    overrides_of,
    parse_calendar,
    recurrence_key,
    rule_text,
    stamp,
    summarize,
    timed_end,
)
from appliance.organizer.calendar.queries import EventRow
from appliance.organizer.calendar.shapes import Calendar, Event, EventCreate, EventUpdate, OccurrenceChange
from appliance.organizer.household import household_zone, zone
from appliance.organizer.scope import check_visible, index_owner
from appliance.storage import Database, Writer

__all__ = [
    "MAX_EXTRA_DATES",
    "get_event",
    "create_event",
    "update_event",
    "change_occurrence",
    "set_extra_dates",
    "delete_event",
    "keep_event",
    "event_records",
    "event_of",
    "indexable_event",
    "store_calendar_object",
    "replace_calendar_object",
]

MAX_EXTRA_DATES = 1000


async def get_event(db: Database, viewer: str, event_id: str) -> Event:
    return event_of(await _row(db, viewer, event_id))


async def create_event(db: Database, knowledge: Knowledge, viewer: str, new: EventCreate) -> Event:
    calendar = await get_calendar(db, viewer, new.calendar_id)
    tz = zone(new.tz or (await household_zone(db)).key)
    component = icalendar.Event()
    component.add("UID", uuid.uuid4().hex + "@atom")
    component.add("CREATED", clock.now().replace(tzinfo=UTC))
    set_timing(component, new.starts, new.ends, new.all_day, tz, new.rrule)
    set_text(component, new.title, new.location, new.description)
    stamp(component)
    row = await store_calendar_object(db, calendar, new_calendar([component]), viewer, tz.key)
    await knowledge.index(indexable_event(row))
    return event_of(row)


async def update_event(db: Database, knowledge: Knowledge, viewer: str, event_id: str, change: EventUpdate) -> Event:
    """Change the whole series. A new start, zone, all-day flag or rule drops cancelled and changed occurrences."""
    row = await _row(db, viewer, event_id)
    current = event_of(row)
    ical = parse_calendar(row.ics)
    master = master_of(ical)
    fields = {name: getattr(change, name) for name in change.__struct_fields__ if getattr(change, name) is not UNSET}
    if fields.keys() & {"starts", "ends", "all_day", "tz", "rrule"}:
        merged = msgspec.structs.replace(current, **{k: v for k, v in fields.items() if k != "calendar_id"})
        if fields.keys() & {"starts", "all_day", "tz", "rrule"}:
            ical = new_calendar([master])
            master.pop("EXDATE", None)
        ends = fields["ends"] if "ends" in fields else _kept_end(current, merged)
        set_timing(master, merged.starts, ends, merged.all_day, zone(merged.tz), merged.rrule)
    if fields.keys() & {"title", "location", "description"}:
        set_text(
            master,
            fields.get("title", current.title),
            fields.get("location", current.location),
            fields.get("description", current.description),
        )
    stamp(master)
    target = await get_calendar(db, viewer, fields.get("calendar_id", row.calendar_id))
    return await _replace(db, knowledge, row, target, ical)


async def change_occurrence(
    db: Database, knowledge: Knowledge, viewer: str, event_id: str, change: OccurrenceChange
) -> Event:
    """Cancel one occurrence of a repeating event, or change it alone (its time, title, place, notes)."""
    row = await _row(db, viewer, event_id)
    ical = parse_calendar(row.ics)
    master = master_of(ical)
    original = find_occurrence(ical, change.recurrence_id)
    existing = next((o for o in overrides_of(ical) if o.decoded("RECURRENCE-ID") == original), None)
    if change.cancel:
        kept = [c for c in ical.subcomponents if c is not existing]
        ical = new_calendar(kept)
        master.add("EXDATE", original)
        stamp(master)
    else:
        override = existing or instance_of(master, original, ical)
        change_instance(override, master, change, row.tz)
        stamp(override)
    calendar = await get_calendar(db, viewer, row.calendar_id)
    return await _replace(db, knowledge, row, calendar, ical)


async def set_extra_dates(
    db: Database, knowledge: Knowledge, viewer: str, event_id: str, dates: list[datetime]
) -> Event:
    """The dates the event also happens on beside its rule (RDATE), as a service has them; they take
    the series' own kind (dates for an all-day one, times in its zone for a timed one)."""
    if len(dates) > MAX_EXTRA_DATES:
        raise InvalidInput(f"at most {MAX_EXTRA_DATES} extra dates for one event")
    row = await _row(db, viewer, event_id)
    ical = parse_calendar(row.ics)
    master = master_of(ical)
    start = master.decoded("DTSTART")
    wanted = {_like(start, moment) for moment in dates}
    if wanted == set(dates_of(master, "RDATE")):
        return event_of(row)  # as it is: no new SEQUENCE, nothing to send to a linked server
    master.pop("RDATE", None)
    if wanted:
        master.add("RDATE", sorted(wanted))
    stamp(master)
    return await _replace(db, knowledge, row, await get_calendar(db, viewer, row.calendar_id), ical)


async def delete_event(db: Database, knowledge: Knowledge, viewer: str, event_id: str) -> Event:
    row = await _row(db, viewer, event_id)
    event = event_of(row)
    await db.write(_delete, row)
    await knowledge.forget(EVENT, row.id)
    return event


async def keep_event(db: Database, viewer: str, event_id: str) -> Event:
    """The member has seen what a sync conflict did to this event: stop flagging it."""
    row = await _row(db, viewer, event_id)
    await db.write(queries.update_event, row.id, {"conflict": None})
    return msgspec.structs.replace(event_of(row), conflict=None)


async def event_records(db: Database) -> list[Indexable]:
    return [indexable_event(row) for row in await db.read(queries.all_event_rows)]


async def store_calendar_object(
    db: Database, calendar: Calendar, ical: icalendar.Calendar, created_by: str | None, fallback_tz: str, **sync: Any
) -> EventRow:
    """Insert one calendar object (a UID's master and instances) as a new event of `calendar`."""
    at = clock.now()
    values = {
        "id": uuid.uuid4().hex,
        "calendar_id": calendar.id,
        "owner": calendar.owner_id,
        **_columns(ical, fallback_tz),
        "created_by": created_by,
        "created_at": at,
        "updated_at": at,
        "href": None,
        "etag": None,
        "dirty": True,
        "conflict": None,
        **sync,
    }
    await db.write(queries.insert_event, values)
    stored = await db.read(queries.event_row, values["id"])
    assert stored is not None
    return stored


async def replace_calendar_object(db: Database, row: EventRow, ical: icalendar.Calendar, **sync: Any) -> EventRow:
    """Replace an event's whole calendar object with one from outside (an import, a sync)."""
    values = {**_columns(ical, row.tz), "updated_at": clock.now(), "dirty": True, "conflict": None, **sync}
    await db.write(queries.update_event, row.id, values)
    stored = await db.read(queries.event_row, row.id)
    assert stored is not None
    return stored


def event_of(row: EventRow) -> Event:
    ical = parse_calendar(row.ics)
    master = master_of(ical)
    summary = summarize(ical, row.tz)
    tz = ZoneInfo(_known(summary.tz, row))
    start = master.decoded("DTSTART")
    end = summary.ends_at if summary.all_day else None
    return Event(
        id=row.id,
        calendar_id=row.calendar_id,
        shared=row.owner is None,
        uid=row.uid,
        title=summary.title,
        starts=as_moment(start, tz),
        ends=as_moment(end.date(), tz) if end is not None else as_moment(timed_end(master, start), tz),
        all_day=summary.all_day,
        tz=tz.key,
        rrule=rule_text(master),
        exdates=[recurrence_key(value) for value in dates_of(master, "EXDATE")],
        rdates=[recurrence_key(value) for value in dates_of(master, "RDATE")],
        overridden=[recurrence_key(o.decoded("RECURRENCE-ID")) for o in overrides_of(ical)],
        location=str(master.get("LOCATION", "")),
        description=str(master.get("DESCRIPTION", "")),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        conflict=row.conflict,
    )


def indexable_event(row: EventRow) -> Indexable:
    event = event_of(row)
    when = event.starts.date().isoformat() if event.all_day else event.starts.strftime("%Y-%m-%d %H:%M")
    lines = [f"When: {when} ({'all day' if event.all_day else event.tz})"]
    lines += [f"Where: {event.location}"] if event.location else []
    lines += [f"Repeats: {event.rrule}"] if event.rrule else []
    lines += [event.description] if event.description else []
    return Indexable(
        type=EVENT,
        id=row.id,
        owner_id=index_owner(row.owner),
        shared=row.owner is None,
        source="calendar",
        title=event.title,
        text="\n".join(lines),
        updated_at=row.updated_at,
    )


def _like(start: date | datetime, moment: datetime) -> date | datetime:
    """`moment` as the series' starts are: its date (all-day), or the instant in the start's zone."""
    if not isinstance(start, datetime):
        return moment.date()
    return moment.astimezone(start.tzinfo) if start.tzinfo is not None else moment.replace(tzinfo=None)


def _kept_end(current: Event, merged: Event) -> datetime | None:
    """When only the start moves, the event keeps its length (all-day: its number of days)."""
    if merged.all_day != current.all_day:
        return None  # one day, or one hour
    length = current.ends - current.starts
    start = merged.starts if merged.starts.tzinfo is not None else merged.starts.replace(tzinfo=zone(merged.tz))
    return start + length - (timedelta(days=1) if merged.all_day else timedelta(0))


async def _row(db: Database, viewer: str, event_id: str) -> EventRow:
    row = await db.read(queries.event_row, event_id)
    if row is None:
        raise NotFound("no such event")
    check_visible(row.owner, viewer, "event")
    return row


async def _replace(
    db: Database, knowledge: Knowledge, row: EventRow, target: Calendar, ical: icalendar.Calendar
) -> Event:
    """Store the changed object (moved to `target` if that is another calendar) and reindex it."""
    values: dict[str, Any] = {**_columns(ical, row.tz), "updated_at": clock.now(), "dirty": True, "conflict": None}
    if target.id != row.calendar_id:
        values |= {"calendar_id": target.id, "owner": target.owner_id, "href": None, "etag": None}
    await db.write(_update, row, values)
    stored = await db.read(queries.event_row, row.id)
    assert stored is not None
    await knowledge.index(indexable_event(stored))
    return event_of(stored)


def _update(conn: Writer, row: EventRow, values: dict[str, Any]) -> None:
    if "href" in values and row.href is not None:  # moved away from a synced calendar: delete it there
        leave_tombstone(conn, row.calendar_id, row.owner, row.href, row.etag)
    queries.update_event(conn, row.id, values)


def _delete(conn: Writer, row: EventRow) -> None:
    queries.delete_event(conn, row.id)
    if row.href is not None:
        leave_tombstone(conn, row.calendar_id, row.owner, row.href, row.etag)


def _columns(ical: icalendar.Calendar, fallback_tz: str) -> dict[str, Any]:
    summary = summarize(ical, fallback_tz)
    return {
        "uid": summary.uid,
        "title": summary.title,
        "starts_at": summary.starts_at,
        "ends_at": summary.ends_at,
        "all_day": summary.all_day,
        "tz": summary.tz,
        "recurring": summary.recurring,
        "ics": ical.to_ical().decode(),
    }


def _known(name: str, row: EventRow) -> str:
    try:
        return zone(name).key
    except InvalidInput:
        return zone(row.tz).key if row.tz else "UTC"
