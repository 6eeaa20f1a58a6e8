"""Google Drive: authorization code + PKCE with a loopback redirect (as Google Calendar);
Docs and readable files become searchable records, by Drive's changes page token.

The first run notes the changes token, then lists every file page by page (the next page's
token saved as it goes); once the listing ends, later runs follow the changes from that token.
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services._google import rate_limited
from appliance.connectors.services.google_drive import api, files
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

__all__ = ["account", "sync", "revoke", "rate_limited"]  # rate_limited: Google's own "slow down" answers


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    if session.cursor.get("changes"):
        await _follow_changes(session)
    else:
        await _list_everything(session)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return await api.revoke(http, grant.refresh_token or grant.access_token)


async def _list_everything(session: SyncSession) -> None:
    if not session.cursor.get("changes_after"):
        await session.save_cursor(changes_after=await api.start_token(session.http))
    page_token = session.cursor.get("listing")
    while True:
        page = await api.file_page(session.http, page_token)
        for found in page.files:
            await _apply(session, found)
        page_token = page.nextPageToken
        if page_token is None:
            break
        await session.save_cursor(listing=page_token)
    await session.save_cursor(changes=session.cursor["changes_after"], changes_after=None, listing=None)


async def _follow_changes(session: SyncSession) -> None:
    token = session.cursor["changes"]
    while True:
        page = await api.change_page(session.http, token)
        for change in page.changes:
            if change.removed or change.file is None:
                await session.forget(change.fileId)
            else:
                await _apply(session, change.file)
        token = page.nextPageToken or page.newStartPageToken or token
        await session.save_cursor(changes=token)
        if page.nextPageToken is None:
            return


async def _apply(session: SyncSession, found: api.DriveFile) -> None:
    if not files.wanted(found):
        await session.forget(found.id)  # trashed, too large, or not something Atom reads
        return
    data = await api.content(session.http, found, files.MAX_BYTES)
    record = await files.as_record(found, data) if data is not None else None
    if record is None:
        await session.forget(found.id)
    else:
        await session.upsert_record(record)
