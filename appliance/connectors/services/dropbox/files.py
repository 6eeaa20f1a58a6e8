"""Dropbox files as searchable records of the member's own, their text read by Atom's own
document parsers (the ones uploads go through), each with a link to the file at Dropbox."""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath
from urllib.parse import quote

from appliance.connectors.base import RemoteRecord
from appliance.connectors.services.dropbox import api
from appliance.errors import InvalidInput
from appliance.knowledge.documents.parsers import parse_document

__all__ = ["READS", "MAX_BYTES", "wanted", "as_record"]

READS = (".txt", ".md", ".markdown", ".pdf", ".docx")
MAX_BYTES = 20 * 1024 * 1024  # a larger file is left out: its download and parse would take the box too long


def wanted(entry: api.Entry) -> bool:
    return entry.tag == "file" and PurePosixPath(entry.name).suffix.lower() in READS and entry.size <= MAX_BYTES


async def as_record(entry: api.Entry, data: bytes) -> RemoteRecord | None:
    """The file's text as a record; None when Atom cannot read it (a scan, a protected PDF)."""
    try:
        parsed = await asyncio.to_thread(parse_document, entry.name, data)  # parsing a PDF takes CPU
    except InvalidInput:
        return None
    return RemoteRecord(
        remote_id=entry.path_lower,
        title=entry.name,
        text=f"{entry.path_display}\n\n{parsed.text}",
        url=_link(entry.path_display),
        updated_at=entry.server_modified,
    )


def _link(path: str) -> str:
    """The file in Dropbox's web view: its folder, previewing it."""
    folder, name = PurePosixPath(path).parent, PurePosixPath(path).name
    return f"https://www.dropbox.com/home{quote(str(folder).rstrip('/'))}?preview={quote(name)}"
