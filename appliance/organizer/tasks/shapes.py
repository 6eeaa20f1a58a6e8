"""The shapes of tasks that cross a boundary."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from appliance.organizer.household import TzName
from appliance.organizer.recurrence import RRuleText

__all__ = ["Task", "TaskCreate", "TaskUpdate", "Priority", "TaskSource", "TaskStatus"]

Priority = Literal["low", "normal", "high"]
TaskSource = Literal["member", "assistant", "caldav", "import", "connector"]
TaskStatus = Literal["open", "done", "all"]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Notes = Annotated[str, msgspec.Meta(max_length=20_000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Task(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    notes: str
    shared: bool
    """The household's (every member sees and edits it), or private to its owner."""
    owner_id: str | None
    calendar_id: str | None
    """The calendar it belongs to, and so the CalDAV collection it syncs with."""
    due_date: date | None
    due_time: time | None
    """Wall-clock time in `tz`; none: any time that day."""
    tz: str
    due_at: datetime | None
    """The due moment in UTC (a date without a time counts from the start of that day)."""
    priority: Priority
    assignee_id: str | None
    rrule: str | None
    """RFC 5545 repeat rule; completing a repeating task rolls it to its next date."""
    source: TaskSource
    completed_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    conflict: str | None = None
    """What a CalDAV sync conflict did to this task, until the member dismisses it."""
    score: float = 0.0
    """How much it matters now (higher first): due date, priority, age, the assignee's load, source."""
    why: str = ""
    """The score in one line, e.g. "overdue by 2 days · high priority"."""


class TaskCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    notes: Notes = ""
    due_date: date | None = None
    due_time: time | None = None
    tz: TzName | None = None
    """The zone `due_time` is in; the household's by default."""
    priority: Priority = "normal"
    assignee_id: Id | None = None
    rrule: RRuleText | None = None
    shared: bool = True
    calendar_id: Id | None = None
    """Default: the Household calendar for a shared task, none for a private one."""


class TaskUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Only what is sent changes; send null to clear a due date, time, assignee, rule or calendar."""

    title: Title | UnsetType = UNSET
    notes: Notes | UnsetType = UNSET
    due_date: date | None | UnsetType = UNSET
    due_time: time | None | UnsetType = UNSET
    tz: TzName | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    assignee_id: Id | None | UnsetType = UNSET
    rrule: RRuleText | None | UnsetType = UNSET
    calendar_id: Id | None | UnsetType = UNSET
