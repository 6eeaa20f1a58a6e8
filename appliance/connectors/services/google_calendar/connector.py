"""Google Calendar: authorization code + PKCE with a loopback redirect; the primary calendar's
events, read only, by sync token.

The cursor holds the sync token, and within a run the next page's token, saved page by page.
A sync token Google has forgotten (410) starts a full listing; one that runs from start to end
forgets the events that are no longer there. An occurrence changed or cancelled on its own changes
its series in Atom; one that comes before its series (a later page, or a series Atom never saw)
fetches the series first.
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services._google import rate_limited
from appliance.connectors.services.google_calendar import api, events
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

__all__ = ["account", "sync", "revoke", "rate_limited"]  # rate_limited: Google's own "slow down" answers


async def account(http: ServiceHttp) -> str:
    return await api.primary_calendar(http)


async def sync(session: SyncSession) -> None:
    try:
        await _pull(session)
    except api.SyncTokenGone:
        await session.save_cursor(sync_token=None, page_token=None)
        await _pull(session)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return await api.revoke(http, grant.refresh_token or grant.access_token)


async def _pull(session: SyncSession) -> None:
    sync_token, page_token = session.cursor.get("sync_token"), session.cursor.get("page_token")
    full = sync_token is None and page_token is None  # a listing from the start sees every event
    seen: set[str] = set()
    while True:
        page = await api.event_page(session.http, sync_token, page_token)
        for item in page.items:
            seen.add(item.id)
            await _apply(session, item)
        page_token = page.nextPageToken
        if page_token is None:
            break
        await session.save_cursor(page_token=page_token)
    if full:
        for gone in await session.remote_ids() - seen:
            await session.forget(gone)
    await session.save_cursor(sync_token=page.nextSyncToken, page_token=None)


async def _apply(session: SyncSession, item: api.GoogleEvent) -> None:
    if item.recurringEventId is not None:
        await _apply_occurrence(session, item)
    elif item.status == "cancelled":
        await session.forget(item.id)
        return
    event = events.as_event(item)
    if event is not None:
        await session.upsert_event(event, events.CALENDAR_NAME)


async def _apply_occurrence(session: SyncSession, item: api.GoogleEvent) -> None:
    occurrence = events.as_occurrence(item)
    if occurrence is None or await session.upsert_occurrence(occurrence):
        return
    series = await api.event(session.http, occurrence.series_id)
    master = events.as_event(series) if series is not None and series.status != "cancelled" else None
    if master is not None:
        await session.upsert_event(master, events.CALENDAR_NAME)
        await session.upsert_occurrence(occurrence)
