"""Times as people say them: "in 10 minutes", "at 7pm", "tomorrow at 8:30", "on Friday", "tonight".

Resolved against the household's clock and time zone; an hour that has passed today means the
next day ("at 7" said at 9 in the evening is 7 tomorrow morning... or tonight at 19:00, see
`_hour`). Returns None for anything it does not understand, so the caller can ask.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

__all__ = ["parse_when", "describe_when", "split_when", "is_time_phrase", "span_of"]

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_UNITS = {"minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800, "second": 1, "sec": 1}
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty five": 45,
}
_PARTS_OF_DAY = {
    "morning": time(8),
    "afternoon": time(15),
    "evening": time(19),
    "tonight": time(20),
    "noon": time(12),
    "midday": time(12),
    "midnight": time(0),
}
_STARTS = frozenset(
    ["at", "in", "on", "by", "tomorrow", "today", "tonight", "this", "next", "noon", "midnight", *_WEEKDAYS, *_MONTHS]
)
_TIME_WORDS = frozenset(
    [
        *_STARTS,
        *_UNITS,
        *(u + "s" for u in _UNITS),
        *_NUMBERS,
        *_PARTS_OF_DAY,
        "half",
        "hour",
        "weekend",
        "am",
        "pm",
        "o'clock",
        "the",
        "of",
        "morning",
        "afternoon",
        "evening",
        "week",
        "forty",
        "five",
    ]
)
_RELATIVE = re.compile(r"\bin (half an hour|(\d+|[a-z]+(?: [a-z]+)?) (minute|min|hour|hr|day|week|second|sec)s?)\b")
_CLOCK = re.compile(r"\b(?:at )?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?= |$)")


def parse_when(text: str, now: datetime) -> datetime | None:
    """An aware datetime in `now`'s zone, or None."""
    said = " " + text.lower().strip().replace("o'clock", "").replace(",", " ") + " "
    said = re.sub(r"\s+", " ", said)
    relative = _RELATIVE.search(said)
    if relative:
        return now + _duration(relative)
    day = _day(said, now.date())
    clock = _part_of_day(said) or _clock(said)
    if day is None and clock is None:
        return None
    moment = datetime.combine(day or now.date(), clock or time(9), tzinfo=now.tzinfo)
    if day is None and moment <= now:
        moment += timedelta(days=1)  # "at 7" after seven: tomorrow
    return moment


def split_when(text: str, now: datetime) -> tuple[str, datetime | None]:
    """ "call the plumber tomorrow at 9" → ("call the plumber", tomorrow 09:00): the longest
    ending made only of time words ("at the station at 5pm" keeps "at the station")."""
    tokens = text.split()
    for i, token in enumerate(tokens):
        if i and token.lower().strip(",") in _STARTS and all(_timeish(t) for t in tokens[i:]):
            moment = parse_when(" ".join(tokens[i:]), now)
            if moment is not None:
                return " ".join(tokens[:i]).rstrip(","), moment
    return text, None


def span_of(text: str, now: datetime) -> tuple[date, int, str]:
    """The days a question about a period means: (first day, how many, how to say it back).

    "this week" is today and the six days after; "next week" is next Monday to Sunday; "the
    weekend" is the coming Saturday and Sunday (this one, said on either); anything else is the
    one day `parse_when` finds (today when it finds none).
    """
    said, today = text.lower(), now.date()
    if "weekend" in said:
        return _weekend(today, later="next" in said)
    if "next week" in said:
        return today + timedelta(days=7 - today.weekday()), 7, "next week"
    if "week" in said:
        return today, 7, "this week"
    moment = parse_when(text, now) or now
    return moment.date(), 1, ""


def _weekend(today: date, later: bool) -> tuple[date, int, str]:
    if today.weekday() == 6 and not later:  # Sunday: what is left of this weekend is today
        return today, 1, "today"
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)  # the coming one (today on a Saturday)
    if later:
        return saturday + timedelta(days=0 if today.weekday() == 6 else 7), 2, "next weekend"
    return saturday, 2, "this weekend"


def is_time_phrase(text: str, now: datetime) -> bool:
    """Whether `text` is nothing but a time ("tomorrow afternoon", yes; "my plate today", no)."""
    tokens = text.split()
    return bool(tokens) and all(_timeish(t) for t in tokens) and parse_when(text, now) is not None


def _timeish(token: str) -> bool:
    word = token.lower().strip(",.")
    return word in _TIME_WORDS or bool(
        re.fullmatch(r"[\d:.]+(am|pm|a\.m\.|p\.m\.|st|nd|rd|th)?|\d{4}-\d{2}-\d{2}", word)
    )


def describe_when(moment: datetime, now: datetime) -> str:
    """How to say it back: "at 19:30", "tomorrow at 08:00", "on Friday 5 December at 09:00"."""
    clock = moment.strftime("%H:%M")
    days = (moment.date() - now.date()).days
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if 1 < days < 7:
        return f"on {moment.strftime('%A')} at {clock}"
    return f"on {moment.strftime('%A')} {moment.day} {moment.strftime('%B')} at {clock}"


def _duration(found: re.Match[str]) -> timedelta:
    if found.group(1) == "half an hour":
        return timedelta(minutes=30)
    amount_text, unit = found.group(2), found.group(3)
    amount = int(amount_text) if amount_text.isdigit() else _NUMBERS.get(amount_text, 1)
    return timedelta(seconds=amount * _UNITS[unit])


def _day(said: str, today: date) -> date | None:
    if " today " in said or " tonight " in said or " this " in said:
        return today
    if " tomorrow " in said:
        return today + timedelta(days=1)
    if " next week " in said:
        return today + timedelta(days=7)
    for index, name in enumerate(_WEEKDAYS):
        if f" {name} " in said:
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    return _date(said, today)


def _date(said: str, today: date) -> date | None:
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", said)
    if iso:
        return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    for index, name in enumerate(_MONTHS, start=1):
        found = re.search(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? {name}\b|\b{name} (\d{{1,2}})(?:st|nd|rd|th)?\b", said
        )
        if found:
            day = int(found.group(1) or found.group(2))
            candidate = date(today.year, index, day)
            return candidate if candidate >= today else date(today.year + 1, index, day)
    return None


def _part_of_day(said: str) -> time | None:
    for word, moment in _PARTS_OF_DAY.items():
        if f" {word} " in said and not _CLOCK.search(said.replace(word, "")):
            return moment
    return None


def _clock(said: str) -> time | None:
    for found in _CLOCK.finditer(said):
        hour, minute, half = int(found.group(1)), int(found.group(2) or 0), (found.group(3) or "").replace(".", "")
        if found.group(0).startswith("at") or found.group(2) or half:
            return _hour(hour, minute, half, evening=" evening " in said or " tonight " in said)
    return None


def _hour(hour: int, minute: int, half: str, evening: bool) -> time | None:
    if half == "pm" and hour < 12 or evening and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
