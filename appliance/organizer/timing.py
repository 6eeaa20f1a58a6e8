"""Moments and wall clocks: the database holds naive UTC; people think in their zone's wall clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from appliance import clock

__all__ = ["aware_utc", "naive_utc", "wall_clock", "now_in", "today_in"]


def aware_utc(stored: datetime) -> datetime:
    """A naive UTC value from the database, as an aware datetime."""
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


def naive_utc(moment: datetime) -> datetime:
    """An aware moment as the database keeps it."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def wall_clock(day: date, at: time | None, zone: ZoneInfo) -> datetime:
    """`day` at `at` (midnight when None) in `zone`; a time skipped by a DST change means the one after it."""
    return datetime.combine(day, at or time(0), tzinfo=zone)


def now_in(zone: ZoneInfo) -> datetime:
    return aware_utc(clock.now()).astimezone(zone)


def today_in(zone: ZoneInfo) -> date:
    return now_in(zone).date()
