"""The shapes of reminders that cross a boundary."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

__all__ = ["Reminder", "ReminderCreate", "FiredReminder", "FireReport", "ReminderState"]

ReminderState = Literal["pending", "fired", "all"]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class Reminder(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    title: str
    remind_at: datetime
    """When it is due (UTC)."""
    task_id: str | None
    event_id: str | None
    fired_at: datetime | None
    """When it reached the member; set exactly once."""
    late_note: str | None
    """Set when it fired late, e.g. because Atom was switched off at the time."""
    created_at: datetime


class ReminderCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What to be reminded of, and when: a time of your own, or a task's due time."""

    title: Title | None = None
    """Default: the task's or event's title."""
    at: datetime | None = None
    """Wall-clock time in the household's zone (or with an offset); default: the task's due time."""
    task_id: Id | None = None
    event_id: Id | None = None


class FiredReminder(msgspec.Struct, frozen=True, kw_only=True):
    """A reminder as it is delivered: on the member's live channel, and to announcers (voice satellites)."""

    id: str
    user_id: str
    title: str
    remind_at: datetime
    fired_at: datetime
    late: bool
    note: str | None
    task_id: str | None
    event_id: str | None


class FireReport(msgspec.Struct, frozen=True, kw_only=True):
    fired: int
    late: int
