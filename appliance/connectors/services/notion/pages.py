"""Notion pages as searchable records of the member's own: the title, then the text of its
blocks in order (nested blocks indented), with the page's link."""

from __future__ import annotations

from appliance.connectors.base import RemoteRecord
from appliance.connectors.http import ServiceHttp
from appliance.connectors.services.notion import api

__all__ = ["as_record", "MAX_DEPTH", "MAX_BLOCKS"]

MAX_DEPTH = 3  # nested blocks read this deep (toggles, lists in lists)
MAX_BLOCKS = 2000  # blocks read per page at most, so one huge page cannot spend the budget


async def as_record(http: ServiceHttp, page: api.Page) -> RemoteRecord:
    """The page and its text (PageGone when it is no longer shared)."""
    lines: list[str] = []
    await _read(http, page.id, 0, lines)
    title = api.title_of(page) or "(untitled)"
    return RemoteRecord(
        remote_id=page.id,
        title=title,
        text="\n".join([title, *lines]),
        url=page.url or None,
        updated_at=page.last_edited_time,
    )


async def _read(http: ServiceHttp, block_id: str, depth: int, lines: list[str]) -> None:
    cursor: str | None = None
    while len(lines) < MAX_BLOCKS:
        blocks, cursor = await api.block_children(http, block_id, cursor)
        for block in blocks:
            text = api.text_of(block)
            if text:
                lines.append("  " * depth + text)
            if block.has_children and depth + 1 < MAX_DEPTH and block.type != "child_page":
                await _read(http, block.id, depth + 1, lines)  # a child page is a record of its own
        if cursor is None:
            return
