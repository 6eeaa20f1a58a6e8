"""Occurrences: every time events happen in a range, expanded by recurring-ical-events.

RRULE, RDATE, EXDATE and overridden instances are the library's job; nothing here counts
weeks by hand. Timed occurrences keep their own zone; all-day ones fall on their dates in
the zone the range is asked in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from appliance.errors import InvalidInput, NotFound
from appliance.organizer.calendar.ical import (
    as_moment,
    master_of,
    new_calendar,
    overrides_of,
    recurrence_key,
    timed_end,
)
from appliance.organizer.calendar.queries import EventRow
from appliance.organizer.calendar.shapes import Occurrence

__all__ = ["MAX_OCCURRENCES", "MAX_RANGE_DAYS", "expand", "find_occurrence"]

MAX_OCCURRENCES = 5000
MAX_RANGE_DAYS = 400


def expand(rows: list[EventRow], start: datetime, end: datetime, view: tzinfo) -> list[Occurrence]:
    """Every occurrence of these events in [start, end), earliest first; `start` and `end` are aware."""
    if end <= start:
        raise InvalidInput("the range must end after it starts")
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(f"ask for at most {MAX_RANGE_DAYS} days at a time")
    found: list[Occurrence] = []
    for row in rows:
        found += _occurrences(row, start, end, view)
        if len(found) > MAX_OCCURRENCES:
            raise InvalidInput(f"more than {MAX_OCCURRENCES} occurrences in this range; ask for a shorter one")
    return sorted(found, key=lambda o: (o.starts, o.event_id))


def find_occurrence(ical: icalendar.Calendar, recurrence_id: str) -> date | datetime:
    """The original start of the occurrence `recurrence_id` names (404 if the series has none there)."""
    master = master_of(ical)
    if "RRULE" not in master and "RDATE" not in master:
        raise InvalidInput("only a repeating event has occurrences; change the event itself")
    start = master.decoded("DTSTART")
    wanted = _parse_recurrence_id(recurrence_id, start)
    if any(o.decoded("RECURRENCE-ID") == wanted for o in overrides_of(ical)):
        return wanted
    window_end = wanted + (timedelta(days=1) if not isinstance(wanted, datetime) else timedelta(seconds=1))
    try:
        found = list(recurring_ical_events.of(new_calendar([master])).between(wanted, window_end))
    except icalendar.InvalidCalendar:
        raise InvalidInput("this event's repeats cannot be read; change the series, or delete it") from None
    if any(component.decoded("RECURRENCE-ID") == wanted for component in found):
        return wanted
    raise NotFound(f"the event does not happen at {recurrence_id}")


def _occurrences(row: EventRow, start: datetime, end: datetime, view: tzinfo) -> list[Occurrence]:
    ical = icalendar.Calendar.from_ical(row.ics)
    master = master_of(ical)
    recurring = "RRULE" in master or "RDATE" in master
    changed = {o.decoded("RECURRENCE-ID") for o in overrides_of(ical)}
    return [
        _occurrence(row, component, view, recurring, changed)
        for component in recurring_ical_events.of(ical, skip_bad_series=True).between(start, end)
    ]  # a series another client wrote that cannot be read (an RDATE of "garbage") is left out, not a 500


def _occurrence(
    row: EventRow, component: icalendar.Component, view: tzinfo, recurring: bool, changed: set[Any]
) -> Occurrence:
    first = component.decoded("DTSTART")
    last = timed_end(component, first)
    original = component.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in component else first
    return Occurrence(
        event_id=row.id,
        calendar_id=row.calendar_id,
        recurrence_id=recurrence_key(original) if recurring else None,
        title=str(component.get("SUMMARY", "")) or row.title,
        starts=as_moment(first, view),
        ends=as_moment(last, view),
        all_day=not isinstance(first, datetime),
        tz=row.tz,
        location=str(component.get("LOCATION", "")),
        description=str(component.get("DESCRIPTION", "")),
        recurring=recurring,
        changed=recurring and original in changed,
        conflict=row.conflict,
    )


def _parse_recurrence_id(text: str, start: date | datetime) -> date | datetime:
    try:
        if not isinstance(start, datetime):
            return date.fromisoformat(text[:10])
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text[:40]!r} is not a recurrence id (the occurrence's start, ISO 8601)") from None
    if moment.tzinfo is None or start.tzinfo is None:
        return moment.replace(tzinfo=start.tzinfo)
    return moment.astimezone(start.tzinfo)
