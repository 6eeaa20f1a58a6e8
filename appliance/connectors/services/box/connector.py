"""Box: a pasted developer token; readable files become searchable records.

Box's folder listing has no change cursor, so each sync walks the folders from the root, a page
at a time (marker-based). The place (folders still to list, the page marker) is saved after
each page, so an interrupted walk resumes there. Files unchanged since the last complete walk
began are not downloaded again; a walk that began at the root forgets files no longer there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from appliance import clock
from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.box import api, files
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

_SKEW = timedelta(minutes=5)  # Box's clock and Atom's may differ a little: read a file again rather than miss it


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    fresh = not session.cursor.get("queue")
    if fresh:
        await session.save_cursor(queue=[api.ROOT], marker=None, started=clock.now().isoformat())
    seen = await _walk(session, _since(session.cursor.get("since")), await session.remote_ids())
    if fresh:  # every folder was listed in this run: what was not seen is gone
        for gone in await session.remote_ids() - seen:
            await session.forget(gone)
    await session.save_cursor(queue=None, marker=None, since=session.cursor.get("started"), started=None)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # a developer token is the member's; Box retires it on its own within the hour


async def _walk(session: SyncSession, since: datetime | None, known: set[str]) -> set[str]:
    queue, marker, seen = list(session.cursor["queue"]), session.cursor.get("marker"), set()
    while queue:
        page = await api.folder_page(session.http, queue[0], marker)
        for item in page.entries:
            if item.type == "folder":
                queue.append(item.id)
            elif item.type == "file":
                seen.add(item.id)
                await _apply(session, item, since if item.id in known else None)
        marker = page.next_marker or None
        queue = queue if marker else queue[1:]
        await session.save_cursor(queue=queue, marker=marker)
    return seen


async def _apply(session: SyncSession, item: api.Item, since: datetime | None) -> None:
    if not files.wanted(item):
        await session.forget(item.id)  # not something Atom reads (any more)
        return
    if since and item.modified_at and _utc(item.modified_at) < since:
        return  # brought in already, unchanged since
    data = await api.download(session.http, item.id, files.MAX_BYTES)
    record = await files.as_record(item, data) if data is not None else None
    if record is None:
        await session.forget(item.id)
    else:
        await session.upsert_record(record)


def _since(value: str | None) -> datetime | None:
    return _utc(datetime.fromisoformat(value)) - _SKEW if value else None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
