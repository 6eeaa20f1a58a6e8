"""Storing what came from a CalDAV server, and what goes to one: events and tasks alike.

Events travel whole (their iCalendar object as the server has it); tasks as the fields a VTODO
carries (vtodo.py). Every change here is reindexed in Knowledge, like any other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import icalendar
import msgspec

from appliance import clock
from appliance.knowledge.knowledge import Knowledge
from appliance.organizer.caldav.store import Local
from appliance.organizer.caldav.vtodo import merged_calendar, modified_at, task_calendar, task_fields
from appliance.organizer.calendar import queries as calendar_queries
from appliance.organizer.calendar.calendars import EVENT
from appliance.organizer.calendar.events import indexable_event, replace_calendar_object, store_calendar_object
from appliance.organizer.calendar.ical import master_of, parse_calendar
from appliance.organizer.calendar.shapes import Calendar
from appliance.organizer.household import household_zone
from appliance.organizer.tasks import queries as task_queries
from appliance.organizer.tasks.shapes import Task
from appliance.organizer.tasks.tasks import TASK, indexable_task
from appliance.storage import Database

__all__ = [
    "Remote",
    "parse_remote",
    "insert_remote",
    "replace_with_remote",
    "keep_copy",
    "local_version",
    "delete_local",
    "outgoing",
]


@dataclass(frozen=True)
class Remote:
    """One calendar object from the server: an event (with its instances) or a task."""

    kind: str
    ical: icalendar.Calendar
    uid: str
    modified: datetime


def parse_remote(body: bytes) -> Remote | None:
    """None for what Atom does not keep (journals, free-busy) or cannot read."""
    try:
        ical = parse_calendar(body)
    except Exception:  # noqa: BLE001 - one unreadable object must not stop a sync
        return None
    for kind, name in (("event", "VEVENT"), ("task", "VTODO")):
        found = list(ical.walk(name))
        if found:
            main = master_of(ical) if kind == "event" else found[0]
            return Remote(kind, ical, str(main.get("UID", "")), max(modified_at(c) for c in found))
    return None


async def insert_remote(
    db: Database, knowledge: Knowledge, calendar: Calendar, remote: Remote, href: str | None, etag: str | None,
    conflict: str | None = None,
) -> None:  # fmt: skip
    """A new item from the server (href set, clean), or a kept copy of a version (href None, to send once kept)."""
    sync = {"href": href, "etag": etag, "dirty": href is None, "conflict": conflict}
    if remote.kind == "event":
        row = await store_calendar_object(db, calendar, remote.ical, None, "UTC", **sync)
        await knowledge.index(indexable_event(row))
        return
    task = await _task_from(db, calendar, remote, None, conflict)
    await db.write(task_queries.insert_task, task, remote.uid, href, etag, href is None, _text(remote))
    await knowledge.index(indexable_task(task))


async def replace_with_remote(
    db: Database, knowledge: Knowledge, calendar: Calendar, item: Local, remote: Remote, href: str, etag: str | None,
    conflict: str | None = None,
) -> None:  # fmt: skip
    """The server's version replaces ours (clean afterwards)."""
    if item.kind != remote.kind:  # an event became a task there, or the reverse: take it as new
        await delete_local(db, knowledge, item)
        await insert_remote(db, knowledge, calendar, remote, href, etag, conflict)
        return
    if item.kind == "event":
        row = await db.read(calendar_queries.event_row, item.id)
        assert row is not None
        stored = await replace_calendar_object(
            db, row, remote.ical, href=href, etag=etag, dirty=False, conflict=conflict
        )
        await knowledge.index(indexable_event(stored))
        return
    task = await _task_from(db, calendar, remote, await db.read(task_queries.one_task, item.id), conflict)
    await db.write(task_queries.replace_from_server, task, href, etag, _text(remote))
    await knowledge.index(indexable_task(task))


async def keep_copy(db: Database, knowledge: Knowledge, calendar: Calendar, version: Remote, note: str) -> None:
    """A conflict's losing version, as a new item under a new UID, flagged, and not sent until kept."""
    fresh = uuid.uuid4().hex + "@atom"
    copied = parse_calendar(version.ical.to_ical())
    for component in copied.subcomponents:
        if "UID" in component:
            component.pop("UID")
            component.add("UID", fresh)
    await insert_remote(
        db, knowledge, calendar, Remote(version.kind, copied, fresh, version.modified), None, None, note
    )


async def local_version(db: Database, item: Local) -> Remote:
    """Our own version of an item, in the server's terms (to keep as a copy, or to send)."""
    return Remote(item.kind, parse_calendar(await outgoing(db, item)), item.uid, item.updated_at)


async def delete_local(db: Database, knowledge: Knowledge, item: Local) -> None:
    if item.kind == "event":
        await db.write(calendar_queries.delete_event, item.id)
        await knowledge.forget(EVENT, item.id)
    else:
        await db.write(task_queries.delete_task, item.id)
        await knowledge.forget(TASK, item.id)


async def outgoing(db: Database, item: Local) -> bytes:
    """The iCalendar object to PUT for an item."""
    if item.kind == "event":
        row = await db.read(calendar_queries.event_row, item.id)
        assert row is not None
        ical = parse_calendar(row.ics)
        ical.add_missing_timezones()
        return ical.to_ical()
    task = await db.read(task_queries.one_task, item.id)
    assert task is not None
    kept = await db.read(task_queries.kept_ics, item.id)
    return (merged_calendar(kept, task, item.uid) if kept else task_calendar(task, item.uid)).to_ical()


def _text(remote: Remote) -> str:
    return remote.ical.to_ical().decode()


async def _task_from(
    db: Database, calendar: Calendar, remote: Remote, current: Task | None, conflict: str | None
) -> Task:
    todo = next(iter(remote.ical.walk("VTODO")))
    fields = task_fields(todo, (await household_zone(db)).key)
    stamp = clock.now()
    if current is not None:
        return msgspec.structs.replace(current, **fields, updated_at=stamp, conflict=conflict)
    return Task(
        id=uuid.uuid4().hex,
        shared=calendar.shared,
        owner_id=calendar.owner_id,
        calendar_id=calendar.id,
        due_at=None,
        assignee_id=None,
        source="caldav",
        created_by=None,
        created_at=stamp,
        updated_at=stamp,
        conflict=conflict,
        **fields,
    )
