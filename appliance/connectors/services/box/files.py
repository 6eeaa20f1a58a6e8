"""Box files as searchable records of the member's own, their text read by Atom's own document
parsers (the ones uploads go through), each with a link to the file at Box."""

from __future__ import annotations

from appliance.connectors.base import RemoteRecord
from appliance.connectors.files import MAX_BYTES, file_text, readable
from appliance.connectors.services.box import api

__all__ = ["MAX_BYTES", "wanted", "as_record"]


def wanted(item: api.Item) -> bool:
    return item.type == "file" and readable(item.name, item.size)


async def as_record(item: api.Item, data: bytes) -> RemoteRecord | None:
    """The file's text as a record; None when Atom cannot read it (a scan, a protected PDF)."""
    text = await file_text(item.name, data)
    if text is None:
        return None
    return RemoteRecord(
        remote_id=item.id,
        title=item.name,
        text=text,
        url=f"https://app.box.com/file/{item.id}",
        updated_at=item.modified_at,
    )
