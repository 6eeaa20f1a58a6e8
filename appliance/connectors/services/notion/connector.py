"""Notion: a pasted internal integration secret; the pages shared with the integration become
searchable records, newest edit first, by `last_edited_time`.

Each run lists every shared page (search pages are cheap) and reads the blocks only of those
edited since the newest edit seen last time (Notion rounds edits to the minute, so that minute's
pages are read again, changing nothing). Within a run the next search page's cursor is saved, so
an interrupted run resumes there; a run that lists from the start forgets pages no longer shared.
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.notion import api, pages
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    since, start = session.cursor.get("since"), session.cursor.get("next")
    newest, full, seen = session.cursor.get("newest"), start is None, set()
    while True:
        listing = await api.search_pages(session.http, start)
        for page in listing.results:
            stamp = page.last_edited_time.strftime("%Y-%m-%dT%H:%M:%SZ")
            if page.archived or page.in_trash:
                continue
            seen.add(page.id)
            if since is None or stamp >= since:
                await _bring_in(session, page)
            newest = max(newest or stamp, stamp)
        start = listing.next_cursor if listing.has_more else None
        if start is None:
            break
        await session.save_cursor(next=start, newest=newest)
    if full:
        for gone in await session.remote_ids() - seen:
            await session.forget(gone)
    await session.save_cursor(since=newest or since, next=None, newest=None)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # an internal integration's secret is the member's; Notion has no call to retire it


async def _bring_in(session: SyncSession, page: api.Page) -> None:
    try:
        await session.upsert_record(await pages.as_record(session.http, page))
    except api.PageGone:
        await session.forget(page.id)
