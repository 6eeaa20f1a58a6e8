"""One event as iCalendar: the master VEVENT and its overridden instances, all with one UID.

This is the one place organizer fields become iCalendar properties and back. Events are kept as
iCalendar text so what Atom does not edit (alarms, attendees, a server's own properties) survives
a round trip through CalDAV; the columns beside it are copies for listing and range queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from appliance import clock
from appliance.errors import InvalidInput

__all__ = [
    "PRODID",
    "Summary",
    "new_calendar",
    "parse_calendar",
    "master_of",
    "overrides_of",
    "summarize",
    "recurrence_key",
    "timed_end",
    "zone_name",
    "as_moment",
    "stamp",
    "rule_text",
]

PRODID = "-//Atom//Household organizer//EN"


@dataclass(frozen=True)
class Summary:
    """What the columns beside the iCalendar text hold."""

    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    tz: str
    recurring: bool


def new_calendar(components: list[icalendar.Component] | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    for component in components or []:
        calendar.add_component(component)
    return calendar


def parse_calendar(text: str | bytes) -> icalendar.Calendar:
    try:
        parsed = icalendar.Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidInput(f"this is not an iCalendar file Atom can read: {str(exc)[:200]}") from None
    if not isinstance(parsed, icalendar.Calendar):
        raise InvalidInput("this is not an iCalendar file (no VCALENDAR)")
    return parsed


def master_of(calendar: icalendar.Calendar) -> icalendar.Component:
    """The VEVENT without a RECURRENCE-ID (the first one, for a file that has only instances)."""
    events = list(calendar.walk("VEVENT"))
    return next((e for e in events if "RECURRENCE-ID" not in e), events[0])


def overrides_of(calendar: icalendar.Calendar) -> list[icalendar.Component]:
    return [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e]


def summarize(calendar: icalendar.Calendar, fallback_tz: str) -> Summary:
    master = master_of(calendar)
    start = master.decoded("DTSTART")
    all_day = not isinstance(start, datetime)
    end = timed_end(master, start)
    return Summary(
        uid=str(master.get("UID", "")),
        title=str(master.get("SUMMARY", "")).strip() or "(untitled)",
        starts_at=_column(start),
        ends_at=max(_column(end), _column(start)),
        all_day=all_day,
        tz=zone_name(start.tzinfo, fallback_tz) if isinstance(start, datetime) else fallback_tz,
        recurring="RRULE" in master or "RDATE" in master,
    )


def recurrence_key(value: date | datetime) -> str:
    """How an occurrence is named in the API: its original start, ISO 8601 (a date for all-day ones)."""
    return value.isoformat()


def zone_name(zone: tzinfo | None, fallback: str) -> str:
    if isinstance(zone, ZoneInfo):
        return zone.key
    if zone is not None and zone.utcoffset(None) == timedelta(0) and str(zone) in ("UTC", "Z"):
        return "UTC"
    named = getattr(zone, "zone", None) or getattr(zone, "key", None)  # pytz and other zone types
    return named if isinstance(named, str) else fallback


def as_moment(value: date | datetime, zone: tzinfo) -> datetime:
    """A DTSTART-like value as an aware datetime: dates at midnight and floating times in `zone`."""
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), tzinfo=zone)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def stamp(component: icalendar.Component) -> None:
    """Mark a change: DTSTAMP, LAST-MODIFIED now, SEQUENCE one more."""
    now = clock.now().replace(tzinfo=UTC)
    for name in ("DTSTAMP", "LAST-MODIFIED"):
        component.pop(name, None)
        component.add(name, now)
    sequence = int(component.get("SEQUENCE", 0)) + 1
    component.pop("SEQUENCE", None)
    component.add("SEQUENCE", sequence)


def timed_end(component: icalendar.Component, start: date | datetime) -> date | datetime:
    """When an event (or one instance) starting at `start` ends: DTEND, else start + DURATION, else
    RFC 5545's default (the same moment for a timed event, the next day for an all-day one)."""
    if "DTEND" in component:
        end: Any = component.decoded("DTEND")
        return end
    if "DURATION" in component:
        return start + component.decoded("DURATION")
    return start + timedelta(days=1) if not isinstance(start, datetime) else start


def _column(value: date | datetime) -> datetime:
    """Naive UTC for timed values; midnight of the date for all-day ones (they float)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def rule_text(component: icalendar.Component) -> str | None:
    """The component's RRULE as text (e.g. FREQ=WEEKLY;BYDAY=MO), or None."""
    if "RRULE" not in component:
        return None
    text = component["RRULE"].to_ical()
    return text.decode() if isinstance(text, bytes) else str(text)
