"""Google Calendar events as events in the member's own calendar in Atom."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from appliance.connectors.base import RemoteEvent
from appliance.connectors.services.google_calendar.api import GoogleEvent, Moment

__all__ = ["as_event", "CALENDAR_NAME"]

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
    return RemoteEvent(
        remote_id=event.id,
        title=event.summary,
        starts=starts,
        ends=max(ends, starts),
        all_day=all_day,
        tz=event.start.timeZone,
        rrule=rules[0] if rules else None,
        location=event.location,
        description=event.description,
        url=event.htmlLink,
    )


def _moment(moment: Moment) -> datetime | None:
    if moment.dateTime is not None:
        return moment.dateTime if moment.dateTime.tzinfo else moment.dateTime.replace(tzinfo=UTC)
    if moment.date is not None:
        return datetime.combine(moment.date, time(0), tzinfo=UTC)
    return None
