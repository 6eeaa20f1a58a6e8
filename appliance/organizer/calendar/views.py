"""What a member sees of the calendars: occurrences in a range, in the zone they look from."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from appliance.errors import InvalidInput
from appliance.organizer.calendar import queries
from appliance.organizer.calendar.calendars import get_calendar, list_calendars
from appliance.organizer.calendar.expand import expand
from appliance.organizer.calendar.shapes import Occurrence
from appliance.organizer.household import household_zone, zone
from appliance.organizer.timing import naive_utc
from appliance.storage import Database

__all__ = ["list_occurrences"]

_FIRST_YEAR, _LAST_YEAR = 1900, 2200
_SLACK = timedelta(days=1)  # all-day events float: a date is "in range" by the viewer's zone, not UTC


async def list_occurrences(
    db: Database,
    viewer: str,
    start: datetime,
    end: datetime,
    tz: str | None = None,
    calendar_ids: list[str] | None = None,
) -> list[Occurrence]:
    """Every occurrence in [start, end) of the viewer's calendars (or those named).

    Times without an offset are wall-clock times in `tz` (the household's zone by default).
    """
    view = zone(tz) if tz else await household_zone(db)
    start, end = _aware(start, view), _aware(end, view)
    _check_range(start, end)
    if calendar_ids:
        ids = [(await get_calendar(db, viewer, c)).id for c in calendar_ids]
    else:
        ids = [c.id for c in await list_calendars(db, viewer)]
    rows = await db.read(queries.event_rows, ids, naive_utc(start) - _SLACK, naive_utc(end) + _SLACK)
    return await asyncio.to_thread(expand, rows, start, end, view)  # CPU work, off the event loop


def _check_range(start: datetime, end: datetime) -> None:
    """A calendar's range lies between years 1900 and 2200 (beyond, dates overflow on the way)."""
    if start.year < _FIRST_YEAR or end.year > _LAST_YEAR:
        raise InvalidInput(f"a calendar range must lie between the years {_FIRST_YEAR} and {_LAST_YEAR}")


def _aware(moment: datetime, view: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=view) if moment.tzinfo is None else moment
