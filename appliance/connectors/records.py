"""Pages, files and messages a connection brings in, as searchable records of the member's own.

Their text is kept in `connector_records` (the source the search index is rebuilt and checked
from) and indexed through `appliance.knowledge`'s one interface as type `connected`, with the
connector as its source, so a search can be narrowed to one service. Only the member finds them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from appliance import clock
from appliance.connectors.base import RemoteRecord
from appliance.connectors.queries import record_links
from appliance.knowledge import Indexable, Knowledge, SearchResults, register_source
from appliance.knowledge.ask import Answer
from appliance.storage import Database, Reader, Writer

__all__ = [
    "CONNECTED",
    "MAX_TEXT",
    "write_record",
    "holds",
    "delete_record",
    "connected_records",
    "web_url",
    "with_links",
    "cited_with_links",
]

CONNECTED = "connected"
MAX_TEXT = 500_000  # characters kept and indexed per record; a longer one is cut there
_COLUMNS = "id, owner, connector, title, text, url, updated_at"


async def write_record(
    db: Database, knowledge: Knowledge, owner: str, connector: str, record_id: str | None, item: RemoteRecord
) -> str:
    """Keep and index `item` (as `record_id`, or a new record); its id."""
    row = (record_id or uuid.uuid4().hex, owner, connector, item.title[:300] or "(untitled)", item.text[:MAX_TEXT])
    stamped = (*row, web_url(item.url), _utc(item.updated_at))
    await db.write(_upsert, stamped)
    await knowledge.index(_indexable(stamped))
    return row[0]


async def holds(db: Database, record_id: str, item: RemoteRecord) -> bool:
    """Whether the kept record `record_id` already says what `item` says (title, text and link)."""
    kept = await db.read(_content, record_id)
    return kept == (item.title[:300] or "(untitled)", item.text[:MAX_TEXT], web_url(item.url))


async def delete_record(db: Database, knowledge: Knowledge, record_id: str) -> None:
    await db.write(_delete, record_id)
    await knowledge.forget(CONNECTED, record_id)


async def connected_records(db: Database) -> list[Indexable]:
    return [_indexable(row) for row in await db.read(_all)]


async def with_links(db: Database, viewer: str, found: SearchResults) -> SearchResults:
    """`found` with each of the viewer's brought-in records carrying its stored link, to open it there."""
    links = await _links(db, viewer, [hit.id for hit in found.results if hit.type == CONNECTED])
    hits = [msgspec.structs.replace(hit, url=links[hit.id]) if hit.id in links else hit for hit in found.results]
    return msgspec.structs.replace(found, results=hits)


async def cited_with_links(db: Database, viewer: str, answer: Answer) -> Answer:
    """`answer` with each cited brought-in record of the viewer's carrying its stored link, as search gives it."""
    links = await _links(db, viewer, [c.id for c in answer.citations if c.type == CONNECTED])
    cited = [msgspec.structs.replace(c, url=links[c.id]) if c.id in links else c for c in answer.citations]
    return msgspec.structs.replace(answer, citations=cited)


async def _links(db: Database, viewer: str, record_ids: list[str]) -> dict[str, str | None]:
    if not record_ids:
        return {}
    return {record_id: web_url(url) for record_id, url in await db.read(record_links, viewer, record_ids)}


def web_url(url: str | None) -> str | None:
    """The service's link, if it is a web address (a page may show it as a link: never `javascript:`)."""
    return url[:2000] if url and url.lower().startswith(("https://", "http://")) else None


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return clock.now()
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _indexable(row: tuple[Any, ...]) -> Indexable:
    record_id, owner, connector, title, text, url, updated_at = row
    return Indexable(
        type=CONNECTED,
        id=record_id,
        owner_id=owner,
        shared=False,
        source=connector,
        title=title,
        text=f"{text}\n\n{url}" if url else text,  # the link is found and shown with the text
        updated_at=updated_at if isinstance(updated_at, datetime) else clock.now(),
    )


def _upsert(conn: Writer, row: tuple[Any, ...]) -> None:
    conn.execute(
        f"INSERT INTO connector_records ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " title = excluded.title, text = excluded.text, url = excluded.url, updated_at = excluded.updated_at",
        list(row),
    )


def _delete(conn: Writer, record_id: str) -> None:
    conn.execute("DELETE FROM connector_records WHERE id = ?", [record_id])


def _content(conn: Reader, record_id: str) -> tuple[Any, ...] | None:
    row = conn.execute("SELECT title, text, url FROM connector_records WHERE id = ?", [record_id]).fetchone()
    return tuple(row) if row else None


def _all(conn: Reader) -> list[tuple[Any, ...]]:
    return conn.execute(f"SELECT {_COLUMNS} FROM connector_records ORDER BY id").fetchall()


register_source(CONNECTED, connected_records)
