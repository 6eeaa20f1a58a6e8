"""Repeat rules (RFC 5545 RRULE), checked once and rolled forward by dateutil, never by hand.

Rules run in wall-clock time in the item's own zone: "every Monday at 09:00" in Europe/Berlin is
09:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from dateutil.rrule import rrule, rrulestr
from icalendar import vRecur

from appliance.errors import InvalidInput

__all__ = ["RRuleText", "checked_rrule", "next_after", "rule_of", "with_count_used"]

RRuleText = Annotated[str, msgspec.Meta(max_length=500, examples=["FREQ=WEEKLY;BYDAY=MO"])]
_TOO_FREQUENT = {"SECONDLY", "MINUTELY"}


def checked_rrule(text: str, start: datetime) -> str:
    """The rule in canonical form, or a 400 saying what is wrong with it; `start` is aware."""
    text = text.strip().removeprefix("RRULE:").strip()
    try:
        parts = vRecur.from_ical(text)
    except ValueError as exc:
        raise InvalidInput(f"the repeat rule is not a valid RRULE: {exc}") from None
    if set(parts.get("FREQ", [])) & _TOO_FREQUENT:
        raise InvalidInput("a repeat rule may repeat hourly at most")
    canonical = vRecur(parts).to_ical().decode()
    rule_of(canonical, start)
    return canonical


def rule_of(text: str, start: datetime) -> rrule:
    """The dateutil rule for `text` starting at `start` (aware; arithmetic stays in its wall clock)."""
    try:
        made = rrulestr(text, dtstart=start, forceset=False, ignoretz=False)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"the repeat rule cannot be used: {exc}") from None
    if not isinstance(made, rrule):
        raise InvalidInput("give one RRULE, not a set of rules")
    return made


def next_after(text: str, start: datetime, after: datetime) -> tuple[datetime | None, int]:
    """The first occurrence strictly after `after`, and how many occurrences from `start` it passed.

    None when the rule has ended (COUNT used up or UNTIL passed).
    """
    passed = 0
    for occurrence in rule_of(text, start):
        if occurrence > after:
            return occurrence, passed
        passed += 1
        if passed > 100_000:
            break
    return None, passed


def with_count_used(text: str, used: int) -> str | None:
    """The rule after `used` occurrences are done: COUNT shrinks by that much; None once it is spent."""
    parts = vRecur.from_ical(text)
    if "COUNT" not in parts:
        return text
    left = int(parts["COUNT"][0]) - used
    if left <= 0:
        return None
    parts["COUNT"] = [left]
    return vRecur(parts).to_ical().decode()
