"""Box: a pasted developer token; readable files become searchable records.

The first sync notes where the member's change stream is, then walks the folders from the root,
a page at a time (marker-based); the place (folders still to list, the page marker) is saved after
each page, so an interrupted walk resumes there. Later syncs follow the change stream from the
saved position instead (Box's Events API, `stream_type=changes`): only the files its events name
are looked at again (each once a run, an event seen before skipped by its id), fetched when there
and readable, forgotten when trashed or gone. A folder moved, trashed or restored changes what is
under it, which its events do not list: that one walks again, from the root, reading only files
changed since the last walk began and forgetting what is no longer there; so does a stream
position older than Box keeps its events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from appliance import clock
from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.box import api, files
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

_SKEW = timedelta(minutes=5)  # Box's clock and Atom's may differ a little: read a file again rather than miss it
_FILE_CHANGES = {
    "ITEM_UPLOAD",
    "ITEM_CREATE",
    "ITEM_COPY",
    "ITEM_MOVE",
    "ITEM_RENAME",
    "ITEM_TRASH",
    "ITEM_UNDELETE_VIA_TRASH",
}
_FOLDER_REWALKS = _FILE_CHANGES - {"ITEM_CREATE", "ITEM_RENAME"}  # a new or renamed folder changes no file in it
_REMEMBERED = 500  # event ids kept to tell Box's duplicates from new events (a page at most)
_KEPT = timedelta(days=20)  # Box keeps the changes stream 21 days: an older position may have lost events


async def account(http: ServiceHttp) -> str:
    return await api.who(http)


async def sync(session: SyncSession) -> None:
    if _following(session.cursor) and _too_old(session.cursor.get("stream_at")):
        await session.save_cursor(stream=None, stream_at=None, events=None)  # walk again, and start the stream anew
    if _following(session.cursor):
        await _follow_changes(session)
    if not _following(session.cursor):
        await _walk_all(session)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # a developer token is the member's; Box retires it on its own within the hour


def _following(cursor: dict[str, Any]) -> bool:
    """Whether the change stream is what this sync reads (not a walk begun, or asked for)."""
    return bool(cursor.get("stream")) and not cursor.get("queue") and not cursor.get("rewalk")


async def _follow_changes(session: SyncSession) -> None:
    looked_at: set[str] = set()  # files looked at this run: a second event for one is not fetched again
    while True:
        page = await api.event_page(session.http, session.cursor["stream"])
        remembered = list(session.cursor.get("events", []))
        for event in page.events:
            if event.event_id not in remembered:
                await _apply_event(session, event, looked_at)
                remembered.append(event.event_id)
        await session.save_cursor(
            stream=page.position, stream_at=clock.now().isoformat(), events=remembered[-_REMEMBERED:]
        )
        if page.count < api.EVENTS_LIMIT:
            return


async def _apply_event(session: SyncSession, event: api.Event, looked_at: set[str]) -> None:
    source = event.source
    if source is None or event.event_type not in _FILE_CHANGES:
        return
    if source.type == "folder":
        if event.event_type in _FOLDER_REWALKS:
            await session.save_cursor(rewalk=True)
        return
    if source.type != "file" or source.id in looked_at or not source.id.isdigit():
        return  # a file looked at already, or an id Box never gives (never part of a request)
    looked_at.add(source.id)
    now = await api.file(session.http, source.id)  # as it is now: events may come twice, or out of order
    if now is None:
        await session.forget(source.id)  # trashed or deleted
    else:
        await _apply(session, now, None)


async def _walk_all(session: SyncSession) -> None:
    if not session.cursor.get("stream"):  # noted before listing: a change made during the walk is not missed
        await session.save_cursor(stream=await api.stream_now(session.http), stream_at=clock.now().isoformat())
    fresh = not session.cursor.get("queue")
    if fresh:
        await session.save_cursor(queue=[api.ROOT], marker=None, started=clock.now().isoformat())
    seen = await _walk(session, _since(session.cursor.get("since")), await session.remote_ids())
    if fresh:  # every folder was listed in this run: what was not seen is gone
        for gone in await session.remote_ids() - seen:
            await session.forget(gone)
    await session.save_cursor(queue=None, marker=None, since=session.cursor.get("started"), started=None, rewalk=None)


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


def _too_old(stream_at: str | None) -> bool:
    return stream_at is None or clock.now() - datetime.fromisoformat(stream_at) > _KEPT


def _since(value: str | None) -> datetime | None:
    return _utc(datetime.fromisoformat(value)) - _SKEW if value else None


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
