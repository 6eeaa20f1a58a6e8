"""Google Calendar events as events in the member's own calendar in Atom; a repeating event's
EXDATE lines and its occurrences changed or cancelled on their own (moved to other times, or an
all-day one to other days) as the organizer's cancelled and changed occurrences, and its RDATE lines
as its dates beside the rule (Atom's expansion does the rest, never this module)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import icalendar

from appliance.connectors.base import RemoteEvent, RemoteOccurrence
from appliance.connectors.services.google_calendar.api import GoogleEvent, Moment

__all__ = ["as_event", "as_occurrence", "CALENDAR_NAME"]

CALENDAR_NAME = "Google Calendar"


def as_event(event: GoogleEvent) -> RemoteEvent | None:
    """None for what Atom does not keep: an instance changed on its own, or an event without times."""
    if event.recurringEventId or event.start is None or event.end is None:
        return None
    all_day = event.start.date is not None
    starts, ends = _moment(event.start), _moment(event.end)
    if starts is None or ends is None:
        return None
    if all_day:
        ends -= timedelta(days=1)  # Google's end date is exclusive; Atom's last day is inclusive
    rules = [line.removeprefix("RRULE:") for line in event.recurrence if line.startswith("RRULE:")]
    zone = _zone(event.start.timeZone)
    rdates = _dates(event.recurrence, "RDATE", zone)
    return RemoteEvent(
        remote_id=event.id,
        title=event.summary,
        starts=starts,
        ends=max(ends, starts),
        all_day=all_day,
        tz=event.start.timeZone,
        rrule=rules[0] if rules else None,
        exdates=_dates(event.recurrence, "EXDATE", zone) if rules or rdates else [],
        rdates=rdates,
        location=event.location,
        description=event.description,
        url=event.htmlLink,
    )


def as_occurrence(event: GoogleEvent) -> RemoteOccurrence | None:
    """An occurrence changed or cancelled on its own (None for any other event)."""
    original = _moment(event.originalStartTime) if event.originalStartTime is not None else None
    if event.recurringEventId is None or original is None:
        return None
    if event.status == "cancelled":
        return RemoteOccurrence(series_id=event.recurringEventId, original_start=original, cancelled=True)
    all_day = event.start is not None and event.start.date is not None
    ends = _moment(event.end) if event.end is not None else None
    return RemoteOccurrence(
        series_id=event.recurringEventId,
        original_start=original,
        all_day=all_day,
        starts=_moment(event.start) if event.start is not None else None,
        ends=ends - timedelta(days=1) if ends is not None and all_day else ends,  # Google's end date is exclusive
        title=event.summary or None,
        location=event.location,
        description=event.description,
    )


def _dates(lines: list[str], name: str, zone: tzinfo) -> list[datetime]:
    """The starts the EXDATE or RDATE lines list (a time without a zone is in the event's own; a
    PERIOD counts by its start). Lines Atom cannot read list none."""
    found = [line for line in lines if line.upper().startswith((name + ":", name + ";"))]
    if not found:
        return []
    try:
        parsed = icalendar.Event.from_ical("BEGIN:VEVENT\r\n" + "\r\n".join(found) + "\r\nEND:VEVENT\r\n")
        values = parsed.get(name)
        groups = values if isinstance(values, list) else [values]
        starts = [value.dt for group in groups for value in group.dts]
        return [_aware(value[0] if isinstance(value, tuple) else value, zone) for value in starts]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return []


def _aware(value: date | datetime, zone: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def _zone(name: str | None) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _moment(moment: Moment) -> datetime | None:
    if moment.dateTime is not None:
        return moment.dateTime if moment.dateTime.tzinfo else moment.dateTime.replace(tzinfo=UTC)
    if moment.date is not None:
        return datetime.combine(moment.date, time(0), tzinfo=UTC)
    return None
