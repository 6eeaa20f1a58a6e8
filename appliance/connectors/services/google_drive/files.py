"""Drive files as searchable records of the member's own, their text read by Atom's document
parsers (a Google Doc exported as plain text), each with its link."""

from __future__ import annotations

from pathlib import PurePosixPath

from appliance.connectors.base import RemoteRecord
from appliance.connectors.files import MAX_BYTES, file_text
from appliance.connectors.services.google_drive.api import DOC, DriveFile

__all__ = ["MAX_BYTES", "wanted", "as_record"]

_SUFFIXES = {
    DOC: ".txt",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def wanted(found: DriveFile) -> bool:
    return found.mimeType in _SUFFIXES and not found.trashed and found.size <= MAX_BYTES


async def as_record(found: DriveFile, data: bytes) -> RemoteRecord | None:
    """The file's text as a record; None when Atom cannot read it (a scan, a protected PDF)."""
    name = PurePosixPath(found.name).stem + _SUFFIXES[found.mimeType]  # the parser goes by the suffix
    text = await file_text(name, data)
    if text is None:
        return None
    return RemoteRecord(
        remote_id=found.id,
        title=found.name or "(untitled)",
        text=text,
        url=found.webViewLink or f"https://drive.google.com/file/d/{found.id}/view",
        updated_at=found.modifiedTime,
    )
