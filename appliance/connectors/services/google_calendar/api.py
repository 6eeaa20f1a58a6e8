"""Google Calendar API v3 as Atom reads it: the one place its JSON becomes typed values.

`GET /calendar/v3/calendars/primary/events` pages with `pageToken`; its last page carries a
`nextSyncToken`, which the next sync sends as `syncToken` to get only what changed (deleted
events come back with status "cancelled"). A sync token Google no longer honours answers 410.
With `singleEvents` false (its default) a repeating event comes as its master (`recurrence`:
RRULE, EXDATE and RDATE lines) and each occurrence changed on its own as an event of its own,
naming the master (`recurringEventId`) and the occurrence (`originalStartTime`; for an all-day
series a `date`, and a moved one's `start`/`end` are dates too, the end exclusive); a cancelled
occurrence is one with status "cancelled" (in a full listing too). `events/{id}` answers one event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TypeVar
from urllib.parse import quote, urlencode

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = ["Moment", "GoogleEvent", "EventPage", "SyncTokenGone", "primary_calendar", "event_page", "event", "revoke"]

T = TypeVar("T")
_EVENTS = "api:/calendar/v3/calendars/primary/events"


class SyncTokenGone(Exception):
    """410: the sync token expired; list everything again."""


class Moment(msgspec.Struct, frozen=True):
    date: date | None = None
    dateTime: datetime | None = None  # noqa: N815 - Google's name
    timeZone: str | None = None  # noqa: N815


class GoogleEvent(msgspec.Struct, frozen=True):
    id: str
    status: str = "confirmed"
    summary: str = ""
    description: str = ""
    location: str = ""
    htmlLink: str | None = None  # noqa: N815
    start: Moment | None = None
    end: Moment | None = None
    recurrence: list[str] = []
    recurringEventId: str | None = None  # noqa: N815 - an instance changed on its own
    originalStartTime: Moment | None = None  # noqa: N815 - ... which one: its start as the rule has it


class EventPage(msgspec.Struct, frozen=True):
    items: list[GoogleEvent] = []
    nextPageToken: str | None = None  # noqa: N815
    nextSyncToken: str | None = None  # noqa: N815


class _Calendar(msgspec.Struct, frozen=True):
    id: str
    summary: str = ""


async def primary_calendar(http: ServiceHttp) -> str:
    body = await http.json("GET", "api:/calendar/v3/calendars/primary")
    return _typed(body, _Calendar).id


async def event_page(http: ServiceHttp, sync_token: str | None, page_token: str | None) -> EventPage:
    query = {"maxResults": "250"} | ({"syncToken": sync_token} if sync_token else {})
    query |= {"pageToken": page_token} if page_token else {}
    response = await http.request("GET", f"{_EVENTS}?{urlencode(query)}")
    if response.status_code == 410:
        raise SyncTokenGone
    if response.status_code != 200:
        raise ServiceFailed(f"Google Calendar answered {response.status_code} to the list of your events")
    try:
        return _typed(response.json(), EventPage)
    except ValueError:
        raise ServiceFailed("Google Calendar answered with something that is not JSON") from None


async def event(http: ServiceHttp, event_id: str) -> GoogleEvent | None:
    """One event by its id; None when Google has no such event (any more)."""
    response = await http.request("GET", f"{_EVENTS}/{quote(event_id, safe='')}")
    if response.status_code in (404, 410):
        return None
    if response.status_code != 200:
        raise ServiceFailed(f"Google Calendar answered {response.status_code} to one of your events")
    try:
        return _typed(response.json(), GoogleEvent)
    except ValueError:
        raise ServiceFailed("Google Calendar answered with something that is not JSON") from None


async def revoke(http: ServiceHttp, token: str) -> bool:
    """POST /revoke with the token in the form body (never in the address, where logs would keep it)."""
    response = await http.request("POST", "token:/revoke", data={"token": token})
    return response.status_code == 200


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Google Calendar answered in a shape Atom does not know") from None
