"""The contract a connector's `connector.py` keeps, as plain module functions.

    async def account(http: ServiceHttp) -> str
        Who the signed-in member is at the service (a login or name). Called once after sign-in,
        so a bad token is refused at once rather than at the first sync.
    async def sync(session: SyncSession) -> None
        Send what changed in Atom (session.completed_here), then pull what changed at the service
        since `session.cursor`, writing through the session and saving the cursor as it goes, so an
        interrupted sync resumes where it stopped. Raise Atom's connector errors, nothing else;
        a part out of reach while the rest syncs (a channel the bot left) is
        `session.warn(problem, action)`, which the connection shows while staying connected.
    async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool
        Ask the service to revoke the grant; False where it offers no way to (then the page says
        where the member revokes it themselves).

Optional:

    def rate_limited(response: httpx.Response) -> bool | float
        Whether an answer is the service's own way of saying "slow down" beyond the shared ones
        (429, 503 with Retry-After): Google's 403 with reason rateLimitExceeded (True), GitHub's
        403 with x-ratelimit-remaining 0 (the seconds until its x-ratelimit-reset). The client
        then waits it out (those seconds, else Retry-After, else backoff) or stops the sync with
        the cursor kept, instead of taking it for a refusal.

Capability modules (`issues.py`, `tasks.py`, …) turn the service's items into `RemoteTask`s;
`api.py` is the one place the service's JSON becomes typed values.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import msgspec

from appliance.events import Topic

if TYPE_CHECKING:
    from appliance.connectors.http import ServiceHttp
    from appliance.connectors.oauth import AppClient
    from appliance.connectors.session import SyncSession
    from appliance.connectors.tokens import Grant

__all__ = ["Connector", "RemoteTask", "RemoteEvent", "RemoteOccurrence", "RemoteRecord", "ITEM_TOPICS"]


class RemoteTask(msgspec.Struct, frozen=True, kw_only=True):
    """An item at a service that becomes one of the member's tasks in Atom."""

    remote_id: str
    title: str
    notes: str = ""
    url: str | None = None
    done: bool = False
    due_date: date | None = None


class RemoteEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event at a service that becomes an event in one of the member's calendars."""

    remote_id: str
    title: str
    starts: datetime
    """Aware (an all-day event: midnight of its first day)."""
    ends: datetime
    """Aware (an all-day event: midnight of its last day, inclusive, as Atom counts)."""
    all_day: bool = False
    tz: str | None = None
    """The event's own IANA zone; None: the household's."""
    rrule: str | None = None
    exdates: list[datetime] = []
    """Occurrences the rule skips (EXDATE), by their start: aware (all-day: midnight of the day)."""
    rdates: list[datetime] = []
    """Starts the event has beside its rule (RDATE): aware (all-day: midnight of the day)."""
    location: str = ""
    description: str = ""
    url: str | None = None


class RemoteOccurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One occurrence of a repeating event that the service changed or cancelled on its own."""

    series_id: str
    """The repeating event's `remote_id`."""
    original_start: datetime
    """Which occurrence: its start as the rule has it (aware; all-day: midnight of the day)."""
    cancelled: bool = False
    all_day: bool = False
    """Whether `starts` and `ends` are days (an all-day occurrence) rather than times."""
    starts: datetime | None = None
    """Where it moved (aware; all-day: midnight of its first day); None: where the rule has it."""
    ends: datetime | None = None
    """Aware (all-day: midnight of its last day, inclusive, as Atom counts)."""
    title: str | None = None
    location: str | None = None
    description: str | None = None


class RemoteRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A page, file or message at a service that becomes a searchable record of the member's own."""

    remote_id: str
    title: str
    text: str
    url: str | None = None
    updated_at: datetime | None = None
    """When the service last changed it (aware or UTC); None: now."""


# The live topic that tells the member's pages about each kind of item a connection brings in.
ITEM_TOPICS: dict[str, Topic] = {"task": "tasks", "event": "calendar", "record": "documents"}


@runtime_checkable
class Connector(Protocol):
    async def account(self, http: ServiceHttp) -> str: ...

    async def sync(self, session: SyncSession) -> None: ...

    async def revoke(self, http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool: ...
