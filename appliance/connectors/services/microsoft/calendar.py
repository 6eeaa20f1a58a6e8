"""Outlook calendar events as events in the member's own calendar in Atom (read only).

Graph's calendar delta covers a fixed window: Atom asks for a month back to a year ahead and
starts a fresh window (a full listing, which forgets what is no longer there) once the old one
is a month old, so the year ahead stays covered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance import clock
from appliance.connectors.base import RemoteEvent
from appliance.connectors.services.microsoft import api
from appliance.connectors.session import SyncSession
from appliance.errors import ServiceFailed

__all__ = ["pull", "as_event", "CALENDAR_NAME"]

CALENDAR_NAME = "Outlook"
_PREFIX = "event:"
_BACK, _AHEAD, _RENEW = timedelta(days=30), timedelta(days=365), timedelta(days=30)


async def pull(session: SyncSession) -> None:
    where: str | None
    where, full = await _start(session)
    seen: set[str] = set()
    restarted = False
    while where:
        try:
            page = await api.event_page(session.http, where)
        except api.DeltaGone:
            if restarted:
                raise ServiceFailed("Microsoft Graph refused even a fresh listing; Atom will try again later") from None
            where, full, restarted = await _fresh(session), True, True
            continue
        for event in page.value:
            seen.add(_PREFIX + event.id)
            await _apply(session, event)
        await session.save_cursor(outlook=page.next_link or page.delta_link)
        where = page.next_link
    if full:
        for gone in {rid for rid in await session.remote_ids() if rid.startswith(_PREFIX)} - seen:
            await session.forget(gone)


async def _start(session: SyncSession) -> tuple[str, bool]:
    """Where to resume (the saved link), or a fresh window's first page."""
    link, since = session.cursor.get("outlook"), session.cursor.get("outlook_window")
    if link and since and datetime.fromisoformat(since) > _now() - _RENEW:
        return link, False
    return await _fresh(session), True


async def _fresh(session: SyncSession) -> str:
    now = _now()
    await session.save_cursor(outlook=None, outlook_window=now.isoformat())
    return api.first_events_page(now - _BACK, now + _AHEAD)


async def _apply(session: SyncSession, event: api.OutlookEvent) -> None:
    remote_id = _PREFIX + event.id
    found = None if event.removed or event.isCancelled else as_event(remote_id, event)
    if found is None:
        await session.forget(remote_id)
    else:
        await session.upsert_event(found, CALENDAR_NAME)


def as_event(remote_id: str, event: api.OutlookEvent) -> RemoteEvent | None:
    """None for an event without readable times."""
    starts = event.start.utc() if event.start else None
    ends = event.end.utc() if event.end else None
    if starts is None or ends is None:
        return None
    if event.isAllDay:
        ends -= timedelta(days=1)  # Graph's all-day end is the next midnight; Atom's last day is inclusive
    return RemoteEvent(
        remote_id=remote_id,
        title=event.subject,
        starts=starts,
        ends=max(ends, starts),
        all_day=event.isAllDay,
        tz=event.originalStartTimeZone if not event.isAllDay else None,
        location=event.location.displayName if event.location else "",
        description=event.bodyPreview,
        url=event.webLink,
    )


def _now() -> datetime:
    return clock.now().replace(tzinfo=UTC)
