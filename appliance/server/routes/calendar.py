"""Calendars and events over HTTP, ICS in and out, and each member's subscription address. Thin.

A change is announced on the live channel (topic `calendar`) to whoever may see it. The feed
(`/calendar/feed.ics?key=…`) is the one route here without a sign-in: its key is the credential,
and it sits in the query string so it never reaches the access log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Request, Response, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, RawBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.events import EVERYONE, Action, Event, EventBus
from appliance.organizer.calendar import calendars, events, feeds, files
from appliance.organizer.calendar.shapes import (
    Calendar,
    CalendarCreate,
    CalendarUpdate,
    EventCreate,
    EventUpdate,
    ImportReport,
    Occurrence,
    OccurrenceChange,
)
from appliance.organizer.calendar.shapes import Event as CalendarEvent
from appliance.organizer.calendar.views import list_occurrences
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, KnowledgeDep, PrincipalDep

__all__ = ["routes"]

_TAGS = ["calendar"]
_ICS = "text/calendar"
_PRIVATE = {"cache-control": "private, no-store"}
_IMPORT_LIMIT = 8 * 1024 * 1024


class FeedAddress(msgspec.Struct, frozen=True, kw_only=True):
    """Shown once: paste it into a phone's calendar app ("add subscribed calendar")."""

    url: str
    webcal_url: str
    created_at: datetime


@get("/api/calendars", tags=_TAGS, guards=[members_only])
async def list_calendars(db: DatabaseDep, principal: PrincipalDep) -> list[Calendar]:
    return await calendars.list_calendars(db, principal.user_id)


@post("/api/calendars", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_calendar(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[CalendarCreate]
) -> Calendar:
    calendar = await calendars.create_calendar(db, principal.user_id, data)
    _announce(bus, "created", calendar.id, calendar.shared, principal.user_id)
    return calendar


@patch("/api/calendars/{calendar_id:str}", tags=_TAGS, guards=[members_only])
async def update_calendar(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, calendar_id: FromPath[str], data: JSONBody[CalendarUpdate]
) -> Calendar:
    calendar = await calendars.update_calendar(db, principal, calendar_id, data)
    _announce(bus, "updated", calendar.id, calendar.shared, principal.user_id)
    return calendar


@delete("/api/calendars/{calendar_id:str}", tags=_TAGS, guards=[members_only])
async def delete_calendar(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, calendar_id: FromPath[str]
) -> None:
    """The calendar and its events; its tasks stay, in no calendar. A linked CalDAV server keeps its copy."""
    calendar = await calendars.delete_calendar(db, knowledge, principal, calendar_id)
    _announce(bus, "deleted", calendar.id, calendar.shared, principal.user_id)


@get("/api/calendars/{calendar_id:str}/export.ics", tags=_TAGS, guards=[members_only])
async def export_calendar(db: DatabaseDep, principal: PrincipalDep, calendar_id: FromPath[str]) -> Response[bytes]:
    body = await files.export_ics(db, principal.user_id, calendar_id)
    return Response(body, media_type=_ICS, headers=_PRIVATE)


@post(
    "/api/calendars/{calendar_id:str}/import",
    tags=_TAGS,
    guards=[members_only],
    status_code=HTTP_200_OK,
    request_max_body_size=_IMPORT_LIMIT,
)
async def import_calendar(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    calendar_id: FromPath[str],
    body: RawBody,
) -> ImportReport:
    """Add the events of an .ics file, sent as the body (`Content-Type: text/calendar`, up to 8 MiB).

    An event whose UID is already in the calendar is replaced; what cannot be used is listed in `skipped`.
    """
    report = await files.import_ics(db, knowledge, principal.user_id, calendar_id, body)
    calendar = await calendars.get_calendar(db, principal.user_id, calendar_id)
    _announce(bus, "updated", calendar.id, calendar.shared, principal.user_id)
    return report


@get("/api/calendars/feed", tags=_TAGS, guards=[members_only])
async def feed_status(db: DatabaseDep, principal: PrincipalDep) -> feeds.Feed:
    """Whether you have a subscription address (it is shown only when made)."""
    return await feeds.feed_status(db, principal.user_id)


@post("/api/calendars/feed", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_feed(db: DatabaseDep, principal: PrincipalDep, request: Request) -> Response[FeedAddress]:
    """A new private address serving your calendars as ICS; any earlier one stops working."""
    made = await feeds.create_feed(db, principal.user_id)
    url = f"{str(request.base_url).rstrip('/')}/calendar/feed.ics?key={made.key}"
    address = FeedAddress(url=url, webcal_url="webcal://" + url.partition("://")[2], created_at=made.created_at)
    return Response(address, status_code=HTTP_201_CREATED, headers=_PRIVATE)


@delete("/api/calendars/feed", tags=_TAGS, guards=[members_only])
async def revoke_feed(db: DatabaseDep, principal: PrincipalDep) -> None:
    await feeds.revoke_feed(db, principal.user_id)


@get("/calendar/feed.ics", opt={"public": True}, tags=_TAGS)
async def feed(db: DatabaseDep, key: Annotated[str, Parameter(max_length=100)]) -> Response[bytes]:
    """A member's calendars as ICS, for whoever holds their subscription address (no sign-in)."""
    return Response(await feeds.feed_ics(db, key), media_type=_ICS, headers=_PRIVATE)


@get("/api/events", tags=_TAGS, guards=[members_only])
async def list_events(
    db: DatabaseDep,
    principal: PrincipalDep,
    start: FromQuery[datetime],
    end: FromQuery[datetime],
    tz: Annotated[str | None, Parameter(max_length=64)] = None,
    calendar: Annotated[list[str] | None, Parameter(max_items=50)] = None,
) -> list[Occurrence]:
    """Every occurrence in [start, end), repeats expanded.

    Times without an offset are wall-clock times in `tz` (default: the household's zone).
    """
    return await list_occurrences(db, principal.user_id, start, end, tz, calendar)


@post("/api/events", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_event(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[EventCreate]
) -> CalendarEvent:
    event = await events.create_event(db, knowledge, principal.user_id, data)
    _announce(bus, "created", event.id, event.shared, principal.user_id)
    return event


@get("/api/events/{event_id:str}", tags=_TAGS, guards=[members_only])
async def get_event(db: DatabaseDep, principal: PrincipalDep, event_id: FromPath[str]) -> CalendarEvent:
    return await events.get_event(db, principal.user_id, event_id)


@patch("/api/events/{event_id:str}", tags=_TAGS, guards=[members_only])
async def update_event(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    event_id: FromPath[str],
    data: JSONBody[EventUpdate],
) -> CalendarEvent:
    before = await events.get_event(db, principal.user_id, event_id)
    event = await events.update_event(db, knowledge, principal.user_id, event_id, data)
    _announce(bus, "updated", event.id, event.shared or before.shared, principal.user_id)
    return event


@put("/api/events/{event_id:str}/occurrences", tags=_TAGS, guards=[members_only])
async def change_occurrence(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    event_id: FromPath[str],
    data: JSONBody[OccurrenceChange],
) -> CalendarEvent:
    """Cancel one occurrence of a repeating event, or change it alone; `recurrence_id` names it."""
    event = await events.change_occurrence(db, knowledge, principal.user_id, event_id, data)
    _announce(bus, "updated", event.id, event.shared, principal.user_id)
    return event


@post("/api/events/{event_id:str}/keep", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def keep_event(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, event_id: FromPath[str]) -> CalendarEvent:
    """Dismiss the note a sync conflict left on this event."""
    event = await events.keep_event(db, principal.user_id, event_id)
    _announce(bus, "updated", event.id, event.shared, principal.user_id)
    return event


@delete("/api/events/{event_id:str}", tags=_TAGS, guards=[members_only])
async def delete_event(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, event_id: FromPath[str]
) -> None:
    event = await events.delete_event(db, knowledge, principal.user_id, event_id)
    _announce(bus, "deleted", event.id, event.shared, principal.user_id)


def _announce(bus: EventBus, action: Action, item_id: str, shared: bool, member: str) -> None:
    bus.publish(Event(topic="calendar", action=action, id=item_id), [EVERYONE] if shared else [member])


routes = [
    list_calendars,
    create_calendar,
    update_calendar,
    delete_calendar,
    export_calendar,
    import_calendar,
    feed_status,
    create_feed,
    revoke_feed,
    feed,
    list_events,
    create_event,
    get_event,
    update_event,
    change_occurrence,
    keep_event,
    delete_event,
]
