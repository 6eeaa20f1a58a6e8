"""Dropbox files as searchable records of the member's own, their text read by Atom's own
document parsers (the ones uploads go through), each with a link to the file at Dropbox."""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from appliance.connectors.base import RemoteRecord
from appliance.connectors.files import MAX_BYTES, file_text, readable
from appliance.connectors.services.dropbox import api

__all__ = ["MAX_BYTES", "wanted", "as_record"]


def wanted(entry: api.Entry) -> bool:
    return entry.tag == "file" and readable(entry.name, entry.size)


async def as_record(entry: api.Entry, data: bytes) -> RemoteRecord | None:
    """The file's text as a record; None when Atom cannot read it (a scan, a protected PDF)."""
    text = await file_text(entry.name, data)
    if text is None:
        return None
    return RemoteRecord(
        remote_id=entry.path_lower,
        title=entry.name,
        text=f"{entry.path_display}\n\n{text}",
        url=_link(entry.path_display),
        updated_at=entry.server_modified,
    )


def _link(path: str) -> str:
    """The file in Dropbox's web view: its folder, previewing it."""
    folder, name = PurePosixPath(path).parent, PurePosixPath(path).name
    return f"https://www.dropbox.com/home{quote(str(folder).rstrip('/'))}?preview={quote(name)}"
