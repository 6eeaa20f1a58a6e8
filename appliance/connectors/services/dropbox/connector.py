"""Dropbox: code + PKCE without a redirect (Dropbox shows the code, the member pastes it) or a
pasted access token; readable files become searchable records, by list_folder's cursor.

The first run lists the whole Dropbox, later runs continue from the cursor and get only what
changed (deleted and renamed files included). The cursor is saved after each page's files are
written, so an interrupted run lists that page again (writing a file twice changes nothing).
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.dropbox import api, files
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    try:
        await _pull(session)
    except api.CursorReset:
        await session.save_cursor(cursor=None)
        await _pull(session)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return await api.revoke(http, grant.access_token)  # `http` is the plain client: the token goes along


async def _pull(session: SyncSession) -> None:
    cursor = session.cursor.get("cursor")
    full, seen = cursor is None, set()
    listing = await (api.list_more(session.http, cursor) if cursor else api.list_folder(session.http))
    while True:
        for entry in listing.entries:
            seen.add(entry.path_lower)
            await _apply(session, entry)
        await session.save_cursor(cursor=listing.cursor)
        if not listing.has_more:
            break
        listing = await api.list_more(session.http, listing.cursor)
    if full:  # a listing from the start (a reset one too) sees every file there is
        for gone in await session.remote_ids() - seen:
            await session.forget(gone)


async def _apply(session: SyncSession, entry: api.Entry) -> None:
    if entry.tag == "folder":
        return
    if not files.wanted(entry):
        await session.forget(entry.path_lower)  # deleted, or no longer something Atom reads
        return
    data = await api.download(session.http, entry.id or entry.path_lower, files.MAX_BYTES)
    record = await files.as_record(entry, data) if data is not None else None
    if record is None:
        await session.forget(entry.path_lower)
    else:
        await session.upsert_record(record)
