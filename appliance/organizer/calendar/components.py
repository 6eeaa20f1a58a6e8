"""An event's iCalendar component, edited: its times (timed in a zone, or whole days), its text, and
the overridden instance that changes one occurrence of a series (RFC 5545's RECURRENCE-ID)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from appliance.errors import InvalidInput
from appliance.organizer.calendar.ical import as_moment, timed_end
from appliance.organizer.calendar.shapes import OccurrenceChange
from appliance.organizer.recurrence import checked_rrule

__all__ = ["set_timing", "set_text", "instance_of", "change_instance", "dates_of"]


def set_timing(
    component: icalendar.Component,
    starts: datetime,
    ends: datetime | None,
    all_day: bool,
    tz: ZoneInfo,
    rrule: str | None,
) -> None:
    for name in ("DTSTART", "DTEND", "DURATION", "RRULE"):
        component.pop(name, None)
    start, end = _all_day_span(starts, ends, tz) if all_day else _timed_span(starts, ends, tz)
    component.add("DTSTART", start)
    component.add("DTEND", end)
    if rrule is not None:
        check_from = as_moment(start, tz) if not all_day else datetime.combine(start, datetime.min.time())
        component.add("RRULE", icalendar.vRecur.from_ical(checked_rrule(rrule, check_from)))


def _timed_span(starts: datetime, ends: datetime | None, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = _in_zone(starts, tz)
    end = _in_zone(ends, tz) if ends is not None else start + timedelta(hours=1)
    if end <= start:
        raise InvalidInput("an event must end after it starts")
    return start, end


def _all_day_span(starts: datetime, ends: datetime | None, tz: ZoneInfo) -> tuple[date, date]:
    """The days as written: an all-day event falls on the same dates in every zone."""
    first = _in_zone(starts, tz).date()
    last = _in_zone(ends, tz).date() if ends is not None else first
    if last < first:
        raise InvalidInput("an all-day event cannot end before the day it starts")
    return first, last + timedelta(days=1)


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in `tz`; one with an offset is the same instant, shown in `tz`."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def set_text(component: icalendar.Component, title: str, location: str, description: str) -> None:
    for name, value in (("SUMMARY", title.strip() or title), ("LOCATION", location), ("DESCRIPTION", description)):
        if str(component.get(name, "")) == value:
            continue  # unchanged: kept as it was, parameters (ALTREP, LANGUAGE) and all
        component.pop(name, None)
        if value:
            component.add(name, value)


def instance_of(
    master: icalendar.Component, original: date | datetime, ical: icalendar.Calendar
) -> icalendar.Component:
    """A new overridden instance: the master's properties at the occurrence's original time."""
    instance = icalendar.Event()
    for name, value in master.property_items(recursive=False):
        if name not in {"BEGIN", "END", "RRULE", "RDATE", "EXDATE", "DTSTART", "DTEND", "DURATION"}:
            instance.add(name, value, encode=False)
    start = master.decoded("DTSTART")
    length = timed_end(master, start) - start
    instance.add("RECURRENCE-ID", original)
    instance.add("DTSTART", original)
    instance.add("DTEND", original + length)
    ical.add_component(instance)
    return instance


def change_instance(
    instance: icalendar.Component, master: icalendar.Component, change: OccurrenceChange, tz: str
) -> None:
    start = instance.decoded("DTSTART")
    if isinstance(start, datetime):
        _move_timed(instance, start, change, ZoneInfo(tz))
    else:
        _move_all_day(instance, start, change)
    set_text(
        instance,
        change.title if change.title is not None else str(instance.get("SUMMARY", "")),
        change.location if change.location is not None else str(instance.get("LOCATION", "")),
        change.description if change.description is not None else str(instance.get("DESCRIPTION", "")),
    )


def _move_timed(instance: icalendar.Component, start: datetime, change: OccurrenceChange, tz: ZoneInfo) -> None:
    if change.day is not None or change.days is not None:
        raise InvalidInput("a timed occurrence moves by `starts` and `ends`; `day` and `days` are for all-day ones")
    if change.starts is None and change.ends is None:
        return
    length = instance.decoded("DTEND") - start if "DTEND" in instance else timedelta(hours=1)
    try:
        new_start = _in_zone(change.starts, tz) if change.starts is not None else start
        new_end = _in_zone(change.ends, tz) if change.ends is not None else new_start + length
    except OverflowError:
        raise InvalidInput("an occurrence cannot move past the year 9999") from None
    _replace_times(instance, *_timed_span(new_start, new_end, tz))


def _move_all_day(instance: icalendar.Component, start: date, change: OccurrenceChange) -> None:
    """To another day, for as many days: the dates stay dates (VALUE=DATE), as the series has them."""
    if change.starts is not None or change.ends is not None:
        raise InvalidInput(
            "an all-day occurrence moves to a day, not a time: send `day` (YYYY-MM-DD) and, for its length, `days`"
        )
    if change.day is None and change.days is None:
        return
    days = change.days or max(1, (timed_end(instance, start) - start).days)
    first = change.day or start
    try:
        last = first + timedelta(days=days)
    except OverflowError:
        raise InvalidInput("an occurrence cannot move past the year 9999") from None
    _replace_times(instance, first, last)


def _replace_times(component: icalendar.Component, start: date | datetime, end: date | datetime) -> None:
    for name in ("DTSTART", "DTEND", "DURATION"):
        component.pop(name, None)
    component.add("DTSTART", start)
    component.add("DTEND", end)


def dates_of(master: icalendar.Component, name: str) -> list[date | datetime]:
    """The starts an EXDATE or RDATE property lists (a PERIOD by its start)."""
    found = master.get(name)
    if found is None:
        return []
    starts = [value.dt for dates in (found if isinstance(found, list) else [found]) for value in _listed(dates)]
    return [value[0] if isinstance(value, tuple) else value for value in starts]


def _listed(dates: Any) -> list[Any]:
    """One property's values; none for one icalendar could not read (from another client)."""
    try:
        return list(dates.dts)
    except ValueError:  # icalendar's BrokenCalendarProperty
        return []
