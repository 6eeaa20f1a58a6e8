"""Box files as searchable records of the member's own, their text read by Atom's own document
parsers (the ones uploads go through), each with a link to the file at Box."""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath

from appliance.connectors.base import RemoteRecord
from appliance.connectors.services.box import api
from appliance.errors import InvalidInput
from appliance.knowledge.documents.parsers import parse_document

__all__ = ["READS", "MAX_BYTES", "wanted", "as_record"]

READS = (".txt", ".md", ".markdown", ".pdf", ".docx")
MAX_BYTES = 20 * 1024 * 1024  # a larger file is left out: its download and parse would take the box too long


def wanted(item: api.Item) -> bool:
    return item.type == "file" and PurePosixPath(item.name).suffix.lower() in READS and item.size <= MAX_BYTES


async def as_record(item: api.Item, data: bytes) -> RemoteRecord | None:
    """The file's text as a record; None when Atom cannot read it (a scan, a protected PDF)."""
    try:
        parsed = await asyncio.to_thread(parse_document, item.name, data)  # parsing a PDF takes CPU
    except InvalidInput:
        return None
    return RemoteRecord(
        remote_id=item.id,
        title=item.name,
        text=parsed.text,
        url=f"https://app.box.com/file/{item.id}",
        updated_at=item.modified_at,
    )
