"""The shapes of calendars and events that cross a boundary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from appliance.organizer.household import TzName
from appliance.organizer.recurrence import RRuleText

__all__ = [
    "Calendar",
    "CalendarCreate",
    "CalendarUpdate",
    "CalDAVLink",
    "Event",
    "EventCreate",
    "EventUpdate",
    "Occurrence",
    "OccurrenceChange",
    "ImportReport",
]

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Text = Annotated[str, msgspec.Meta(max_length=20_000)]
Place = Annotated[str, msgspec.Meta(max_length=500)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class CalDAVLink(msgspec.Struct, frozen=True, kw_only=True):
    account_id: str
    remote_url: str
    synced_at: datetime | None
    sync_error: str | None
    sync_advice: str | None = None
    """What to do about `sync_error`, in a sentence."""
    sync_minutes: int | None = None
    """How often it syncs, in minutes; None: the household's setting (`organizer.caldav_sync_minutes`)."""


class Calendar(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    color: str
    shared: bool
    """The household's calendar, or a member's personal one."""
    owner_id: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    caldav: CalDAVLink | None = None


class CalendarCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    color: Color = "#3b6ea5"
    shared: bool = False


class CalendarUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name | None = None
    color: Color | None = None


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """An event (for a repeating one: the series) as it was written."""

    id: str
    calendar_id: str
    shared: bool
    uid: str
    title: str
    starts: datetime
    """Aware, in `tz` (all-day: midnight of the first day)."""
    ends: datetime
    all_day: bool
    tz: str
    rrule: str | None
    exdates: list[str]
    """Occurrences removed from the series, as recurrence ids (see Occurrence)."""
    rdates: list[str]
    """Dates the series also happens on beside its rule (RDATE), as recurrence ids."""
    overridden: list[str]
    """Occurrences changed on their own, as recurrence ids."""
    location: str
    description: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    conflict: str | None = None


class EventCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    calendar_id: Id = "household"
    title: Title
    starts: datetime
    """Wall-clock time in `tz` (a time with an offset is moved into `tz`)."""
    ends: datetime | None = None
    """Default: an hour later (all day: the end of the start day). All day: the last day, inclusive."""
    all_day: bool = False
    """Only the dates of `starts` and `ends` count; the event falls on those days in every zone."""
    tz: TzName | None = None
    """The event's own zone; the household's by default."""
    rrule: RRuleText | None = None
    location: Place = ""
    description: Text = ""


class EventUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Changes the whole series; send `rrule: null` to stop it repeating."""

    calendar_id: Id | UnsetType = UNSET
    title: Title | UnsetType = UNSET
    starts: datetime | UnsetType = UNSET
    ends: datetime | UnsetType = UNSET
    all_day: bool | UnsetType = UNSET
    tz: TzName | UnsetType = UNSET
    rrule: RRuleText | None | UnsetType = UNSET
    location: Place | UnsetType = UNSET
    description: Text | UnsetType = UNSET


class OccurrenceChange(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Change or cancel one occurrence of a repeating event, named by its recurrence id."""

    recurrence_id: Annotated[str, msgspec.Meta(min_length=10, max_length=40)]
    cancel: bool = False
    title: Title | None = None
    starts: datetime | None = None
    """A timed occurrence's new start (wall-clock time in the event's zone, or with an offset)."""
    ends: datetime | None = None
    """A timed occurrence's new end; default: as long as it was."""
    day: date | None = None
    """An all-day occurrence's new first day (YYYY-MM-DD); all-day ones move by days, never by a time."""
    days: Annotated[int, msgspec.Meta(ge=1, le=366)] | None = None
    """How many days an all-day occurrence lasts from that day; default: as many as it did."""
    location: Place | None = None
    description: Text | None = None


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One time an event happens, in a range query's answer."""

    event_id: str
    calendar_id: str
    recurrence_id: str | None
    """For a repeating event: which occurrence this is (its original start, ISO 8601)."""
    title: str
    starts: datetime
    """Aware, in the event's zone (all-day: midnight of the first day in the view's zone)."""
    ends: datetime
    all_day: bool
    tz: str
    location: str
    description: str
    recurring: bool
    changed: bool
    """An occurrence edited on its own (an overridden instance)."""
    conflict: str | None = None


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    updated: int
    skipped: list[str]
    """What was left out and why, one line each."""
