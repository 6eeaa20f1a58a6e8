"""Tasks as VTODO and back: the one place a task's fields become iCalendar properties for a server.

Atom's own ideas (who a task is assigned to, where it came from, its score) stay in Atom; what
CalDAV has words for travels: title, notes, due date or time in its zone, priority, done, repeat.

A task that came from a server keeps its VTODO as the server had it (`merged_calendar`): what goes
back is that component with only the properties Atom changed rewritten, so another client's
categories, alarms, attendees, X- properties and the like survive the round trip.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import icalendar

from appliance import clock
from appliance.errors import InvalidInput
from appliance.organizer.calendar.ical import new_calendar, rule_text, stamp, zone_name
from appliance.organizer.household import zone
from appliance.organizer.recurrence import checked_rrule
from appliance.organizer.tasks.shapes import Priority, Task
from appliance.organizer.timing import aware_utc, wall_clock

__all__ = ["task_calendar", "merged_calendar", "task_fields", "modified_at"]

_TO_PRIORITY = {"high": 1, "normal": 5, "low": 9}


def task_calendar(task: Task, uid: str) -> icalendar.Calendar:
    todo = icalendar.Todo()
    todo.add("UID", uid)
    todo.add("SUMMARY", task.title)
    if task.notes:
        todo.add("DESCRIPTION", task.notes)
    if task.due_date is not None:
        due = wall_clock(task.due_date, task.due_time, zone(task.tz)) if task.due_time else task.due_date
        todo.add("DUE", due)
    todo.add("PRIORITY", _TO_PRIORITY[task.priority])
    if task.rrule:
        todo.add("RRULE", icalendar.vRecur.from_ical(task.rrule))
    if task.completed_at is not None:
        todo.add("STATUS", "COMPLETED")
        todo.add("COMPLETED", task.completed_at.astimezone(UTC))
    else:
        todo.add("STATUS", "NEEDS-ACTION")
    todo.add("CREATED", aware_utc(task.created_at))
    stamp(todo)
    todo.pop("LAST-MODIFIED")
    todo.add("LAST-MODIFIED", aware_utc(task.updated_at))
    calendar = new_calendar([todo])
    calendar.add_missing_timezones()
    return calendar


def merged_calendar(kept: str, task: Task, uid: str) -> icalendar.Calendar:
    """The kept VTODO (and everything around it) with only what differs from `task` rewritten."""
    calendar = icalendar.Calendar.from_ical(kept)
    todo = next(iter(calendar.walk("VTODO")))
    was = task_fields(todo, task.tz)
    mine = task_calendar(task, uid).walk("VTODO")[0]
    for names, changed in (
        (("SUMMARY",), was["title"] != task.title),
        (("DESCRIPTION",), was["notes"] != task.notes),
        (("PRIORITY",), was["priority"] != task.priority),
        (("RRULE",), was["rrule"] != task.rrule),
        (("STATUS", "COMPLETED"), (was["completed_at"] is None) != (task.completed_at is None)),
    ):
        if changed:
            _take(todo, mine, names)
    if (was["due_date"], was["due_time"], was["tz"]) != (task.due_date, task.due_time, task.tz):
        _move_due(todo, mine)
    if "PERCENT-COMPLETE" in todo and (was["completed_at"] is None) != (task.completed_at is None):
        todo.pop("PERCENT-COMPLETE")
        todo.add("PERCENT-COMPLETE", 100 if task.completed_at is not None else 0)
    stamp(todo)
    todo.pop("LAST-MODIFIED")
    todo.add("LAST-MODIFIED", aware_utc(task.updated_at))
    calendar.add_missing_timezones()
    return calendar


def _take(todo: icalendar.Component, mine: icalendar.Component, names: tuple[str, ...]) -> None:
    """Atom's value of these properties replaces the kept ones (absent in Atom: removed)."""
    for name in names:
        todo.pop(name, None)
        if name in mine:
            todo.add(name, mine[name], encode=False)


def _move_due(todo: icalendar.Component, mine: icalendar.Component) -> None:
    """A new due date (or none); a start before it moves with it, keeping the task's span."""
    old = todo.decoded("DUE") if "DUE" in todo else None
    start = todo.decoded("DTSTART") if "DTSTART" in todo else None
    _take(todo, mine, ("DUE",))
    todo.pop("DTSTART", None)
    if start is None or old is None or "DUE" not in mine:
        return  # no start, or the start was what Atom read as the due date: DUE says it now
    new = mine.decoded("DUE")
    if type(old) is type(new) is type(start):
        todo.add("DTSTART", start + (new - old))


def task_fields(todo: icalendar.Component, fallback_tz: str) -> dict[str, Any]:
    """What a VTODO says, as Task fields (those CalDAV carries)."""
    due = todo.decoded("DUE") if "DUE" in todo else todo.decoded("DTSTART") if "DTSTART" in todo else None
    tz = zone_name(due.tzinfo, fallback_tz) if isinstance(due, datetime) and due.tzinfo else fallback_tz
    local = due.astimezone(zone(tz)) if isinstance(due, datetime) and due.tzinfo else due
    return {
        "title": (str(todo.get("SUMMARY", "")).strip() or "(untitled)")[:200],
        "notes": str(todo.get("DESCRIPTION", ""))[:20_000],
        "due_date": local.date() if isinstance(local, datetime) else local if isinstance(local, date) else None,
        "due_time": local.time().replace(tzinfo=None) if isinstance(local, datetime) else None,
        "tz": tz,
        "priority": _priority(todo.get("PRIORITY")),
        "rrule": _rule(todo, local, tz),
        "completed_at": _completed(todo),
    }


def modified_at(component: icalendar.Component) -> datetime:
    """When the other side last changed it (LAST-MODIFIED, else DTSTAMP), naive UTC like Atom's own."""
    for name in ("LAST-MODIFIED", "DTSTAMP"):
        if name in component:
            value = component.decoded(name)
            if isinstance(value, datetime):
                return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).replace(tzinfo=None)
    return datetime.min


def _priority(value: Any) -> Priority:
    try:
        number = int(value) if value is not None else 0
    except (TypeError, ValueError):
        number = 0
    return "high" if 1 <= number <= 4 else "low" if number >= 6 else "normal"


def _rule(todo: icalendar.Component, due: date | datetime | None, tz: str) -> str | None:
    text = rule_text(todo)
    if text is None or due is None:
        return None
    start = due if isinstance(due, datetime) else wall_clock(due, None, zone(tz))
    try:
        return checked_rrule(text, start)
    except InvalidInput:
        return None  # a rule Atom cannot follow: the task stays, without repeating here


def _completed(todo: icalendar.Component) -> datetime | None:
    if "COMPLETED" in todo:
        value = todo.decoded("COMPLETED")
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if str(todo.get("STATUS", "")).upper() == "COMPLETED":
        return aware_utc(clock.now())  # done, but the server did not say when
    return None
