"""A loopback Notion speaking its API (Notion-Version 2022-06-28): `GET /v1/users/me` (the
integration's bot), `POST /v1/search` (pages shared with the integration, sorted by
`last_edited_time`, paged by `start_cursor`/`next_cursor`/`has_more`) and
`GET /v1/blocks/{id}/children` (paged the same way; nested blocks under `has_children`).
Errors as Notion sends them: `{"object": "error", "status", "code", "message"}`: 401
`unauthorized` for a bad secret, 404 `object_not_found` for a page not shared, 400
`missing_version` without the Notion-Version header. `last_edited_time` is rounded to the minute,
as Notion's is; each change here is a minute after the last.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeNotion", "SECRET"]

SECRET = "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"
_START = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class _Block:
    id: str
    type: str
    text: str
    children: list[_Block] = field(default_factory=list)
    checked: bool = False

    def json(self, parent: str) -> dict[str, Any]:
        body: dict[str, Any] = {"rich_text": [_rich(self.text)], "color": "default"}
        if self.type == "child_page":
            body = {"title": self.text}
        elif self.type == "to_do":
            body["checked"] = self.checked
        return {
            "object": "block",
            "id": self.id,
            "parent": {"type": "page_id", "page_id": parent},
            "has_children": bool(self.children),
            "archived": False,
            "in_trash": False,
            "type": self.type,
            self.type: body,
        }


@dataclass
class _Page:
    id: str
    title: str
    blocks: list[_Block]
    edited: datetime
    shared: bool = True
    archived: bool = False

    def json(self) -> dict[str, Any]:
        stamp = self.edited.strftime("%Y-%m-%dT%H:%M:00.000Z")
        return {
            "object": "page",
            "id": self.id,
            "created_time": stamp,
            "last_edited_time": stamp,
            "parent": {"type": "workspace", "workspace": True},
            "archived": self.archived,
            "in_trash": self.archived,
            "properties": {"title": {"id": "title", "type": "title", "title": [_rich(self.title)]}},
            "url": f"https://www.notion.so/{self.title.replace(' ', '-')}-{self.id.replace('-', '')}",
            "public_url": None,
        }


class FakeNotion(ServiceFake):
    connector = "notion"

    def __init__(self) -> None:
        super().__init__()
        self.secrets = {SECRET}
        self.pages: dict[str, _Page] = {}
        self.page_size_cap = 100
        self._clock = _START

    # --- what a test does in Notion ------------------------------------------------------

    def add_page(self, title: str, *paragraphs: str, blocks: list[_Block] | None = None) -> str:
        page = _Page(str(uuid.uuid4()), title, [block(p) for p in paragraphs] + (blocks or []), self._tick())
        self.pages[page.id] = page
        return page.id

    def edit(self, page_id: str, *paragraphs: str, title: str | None = None) -> None:
        page = self.pages[page_id]
        page.blocks = [block(p) for p in paragraphs] if paragraphs else page.blocks
        page.title = title or page.title
        page.edited = self._tick()

    def unshare(self, page_id: str) -> None:
        self.pages[page_id].shared = False

    def route_search_for_test(self) -> dict[str, Any]:
        """What `POST /v1/search` answers now, for a test to alter and queue (answer_next)."""
        return self._search({"sort": {"direction": "descending", "timestamp": "last_edited_time"}}).body

    # --- the wire -------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.secrets:
            return _error(401, "unauthorized", "API token is invalid.")
        if "notion-version" not in request.headers:
            return _error(400, "missing_version", "Notion-Version header failed validation.")
        if request.method == "GET" and request.path == "/v1/users/me":
            bot = {"owner": {"type": "workspace", "workspace": True}, "workspace_name": "Lovelace household"}
            return Reply(200, {"object": "user", "id": "9a1e0c7e", "type": "bot", "name": "Atom", "bot": bot})
        if request.method == "POST" and request.path == "/v1/search":
            return self._search(request.body or {})
        parts = request.path.split("/")
        if request.method == "GET" and len(parts) == 5 and parts[:3] == ["", "v1", "blocks"] and parts[4] == "children":
            return self._children(parts[3], request.query)
        return _error(400, "invalid_request_url", "Invalid request URL.")

    def _search(self, body: dict[str, Any]) -> Reply:
        shared = [p for p in self.pages.values() if p.shared and not p.archived]
        newest_first = body.get("sort", {}).get("direction") == "descending"
        found = sorted(shared, key=lambda p: (p.edited, p.id), reverse=newest_first)
        return self._paged([p.json() for p in found], body.get("start_cursor"), body.get("page_size", 100), "page")

    def _children(self, block_id: str, query: dict[str, str]) -> Reply:
        owner = next((p for p in self.pages.values() if p.shared and _holds(p, block_id)), None)
        if owner is None:
            message = f"Could not find block with ID: {block_id}. Make sure the relevant pages and databases"
            message += " are shared with your integration."
            return _error(404, "object_not_found", message)
        blocks = owner.blocks if owner.id == block_id else _find(owner.blocks, block_id).children
        answer = [b.json(owner.id) for b in blocks]
        return self._paged(answer, query.get("start_cursor"), int(query.get("page_size", "100")), "block")

    def _paged(self, items: list[dict[str, Any]], cursor: str | None, size: int, kind: str) -> Reply:
        ids = [item["id"] for item in items]
        if cursor is not None and cursor not in ids:
            return _error(400, "validation_error", "start_cursor provided is invalid: " + cursor[:40])
        at = ids.index(cursor) if cursor else 0
        size = min(size, self.page_size_cap)
        chunk, more = items[at : at + size], at + size < len(items)
        kind = "page_or_database" if kind == "page" else "block"
        answer = {"object": "list", "results": chunk, "next_cursor": ids[at + size] if more else None, "has_more": more}
        return Reply(200, answer | {"type": kind, kind: {}})

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=1)
        return self._clock


def block(text: str, kind: str = "paragraph", children: list[_Block] | None = None, checked: bool = False) -> _Block:
    return _Block(str(uuid.uuid4()), kind, text, children or [], checked)


def _holds(page: _Page, block_id: str) -> bool:
    return page.id == block_id or _find(page.blocks, block_id) is not None


def _find(blocks: list[_Block], block_id: str) -> Any:
    for candidate in blocks:
        if candidate.id == block_id:
            return candidate
        found = _find(candidate.children, block_id)
        if found is not None:
            return found
    return None


def _rich(text: str) -> dict[str, Any]:
    return {
        "type": "text",
        "text": {"content": text, "link": None},
        "annotations": {"bold": False, "italic": False, "code": False, "color": "default"},
        "plain_text": text,
        "href": None,
    }


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status, {"object": "error", "status": status, "code": code, "message": message, "request_id": str(uuid.uuid4())}
    )
