"""Todoist: a pasted API token; tasks both ways through the Sync API, by sync token.

First what the member ticked off in Atom is completed in Todoist, then what changed in
Todoist since the last sync token comes in. The token is saved once the changes are written,
so an interrupted sync asks for the same changes again (writing them twice changes nothing).
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.todoist import api, tasks
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    done_here = await session.completed_here()
    if done_here:
        for item_id in await api.close_items(session.http, done_here):
            await session.sent_done(item_id)
    answer = await api.changes(session.http, session.cursor.get("sync_token", "*"))
    for item in answer.items:
        if item.is_deleted:
            await session.forget(item.id)
        else:
            await session.upsert_task(tasks.as_task(item))
    await session.save_cursor(sync_token=answer.sync_token)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # an API token is the member's own; Todoist has no call to retire it
