"""Files a connection brings in (Dropbox, Box, Google Drive): which Atom reads, and their text.

One rule for every file service: the kinds Atom's document parsers read, up to a size the box can
download and parse in reasonable time; a file they cannot read (a scan, a protected PDF) is left out.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath

from appliance.errors import InvalidInput
from appliance.knowledge.documents.parsers import parse_document

__all__ = ["READABLE", "MAX_BYTES", "readable", "file_text"]

READABLE = (".txt", ".md", ".markdown", ".pdf", ".docx")
MAX_BYTES = 20 * 1024 * 1024  # a larger file is left out: its download and parse would take the box too long


def readable(name: str, size: int) -> bool:
    return PurePosixPath(name).suffix.lower() in READABLE and size <= MAX_BYTES


async def file_text(name: str, data: bytes) -> str | None:
    """The file's text (the parser goes by `name`'s suffix), or None when Atom cannot read it."""
    try:
        parsed = await asyncio.to_thread(parse_document, name, data)  # parsing a PDF takes CPU
    except InvalidInput:
        return None
    return parsed.text
