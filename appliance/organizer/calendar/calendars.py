"""Calendars: the household's (every member reads and writes it) and members' personal ones.

Every household starts with the Household calendar, which cannot be deleted (shared tasks live in
it). Renaming or deleting another household calendar is for whoever made it, or an admin.
"""

from __future__ import annotations

import uuid

import msgspec

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.errors import InvalidInput, NotFound, PermissionDenied
from appliance.knowledge.knowledge import Knowledge
from appliance.organizer.calendar import queries
from appliance.organizer.calendar.shapes import Calendar, CalendarCreate, CalendarUpdate
from appliance.organizer.scope import check_visible, owner_for
from appliance.storage import Database

__all__ = [
    "HOUSEHOLD_CALENDAR",
    "list_calendars",
    "get_calendar",
    "create_calendar",
    "update_calendar",
    "delete_calendar",
]

HOUSEHOLD_CALENDAR = "household"
EVENT = "event"  # the events' record type in the knowledge index


async def list_calendars(db: Database, viewer: str) -> list[Calendar]:
    return await db.read(queries.visible_calendars, viewer)


async def get_calendar(db: Database, viewer: str, calendar_id: str) -> Calendar:
    calendar = await db.read(queries.one_calendar, calendar_id)
    if calendar is None:
        raise NotFound("no such calendar")
    check_visible(calendar.owner_id, viewer, "calendar")
    return calendar


async def create_calendar(db: Database, viewer: str, new: CalendarCreate) -> Calendar:
    stamp = clock.now()
    calendar = Calendar(
        id=uuid.uuid4().hex,
        name=new.name.strip() or new.name,
        color=new.color,
        shared=new.shared,
        owner_id=owner_for(new.shared, viewer),
        created_by=viewer,
        created_at=stamp,
        updated_at=stamp,
    )
    await db.write(queries.insert_calendar, calendar)
    return calendar


async def update_calendar(db: Database, actor: Principal, calendar_id: str, change: CalendarUpdate) -> Calendar:
    calendar = await _manageable(db, actor, calendar_id)
    updated = msgspec.structs.replace(
        calendar,
        name=(change.name.strip() or change.name) if change.name is not None else calendar.name,
        color=change.color if change.color is not None else calendar.color,
        updated_at=clock.now(),
    )
    await db.write(queries.update_calendar, updated)
    return updated


async def delete_calendar(db: Database, knowledge: Knowledge, actor: Principal, calendar_id: str) -> Calendar:
    """The calendar and its events; its tasks stay, in no calendar. A linked server keeps its own copy."""
    calendar = await _manageable(db, actor, calendar_id)
    if calendar.id == HOUSEHOLD_CALENDAR:
        raise InvalidInput("the Household calendar stays; rename it instead")
    for event_id in await db.write(queries.delete_calendar, calendar.id):
        await knowledge.forget(EVENT, event_id)
    return calendar


async def _manageable(db: Database, actor: Principal, calendar_id: str) -> Calendar:
    calendar = await get_calendar(db, actor.user_id, calendar_id)
    if calendar.shared and calendar.created_by != actor.user_id and not actor.is_admin:
        raise PermissionDenied("only whoever made a household calendar, or an admin, may change or delete it")
    return calendar
