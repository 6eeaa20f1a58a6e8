"""A loopback Box speaking its API 2.0: `GET /2.0/users/me`, `GET /2.0/folders/{id}/items`
(marker-based paging: `usemarker=true`, `marker`, `next_marker` absent on the last page; the
root folder is "0") and `GET /2.0/files/{id}/content`, which answers 302 to a pre-signed address
on the download host (here `/d/…` on this same server, standing for dl.boxcloud.com) that needs
no token. Errors as Box sends them: `{"type": "error", "status", "code", "message"}`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeBox", "TOKEN"]

TOKEN = "Xk3v9QbT2mLh7RpW0aZcN5uYdF8sGjE1"  # a developer token's shape: 32 letters and digits
_START = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class _Item:
    id: str
    name: str
    parent: str
    data: bytes = b""
    folder: bool = False
    modified_at: datetime = _START
    size: int | None = None

    def json(self) -> dict[str, Any]:
        if self.folder:
            return {"type": "folder", "id": self.id, "name": self.name, "etag": "0"}
        size = len(self.data) if self.size is None else self.size
        stamp = self.modified_at.strftime("%Y-%m-%dT%H:%M:%S-00:00")
        return {"type": "file", "id": self.id, "name": self.name, "size": size, "modified_at": stamp, "etag": "0"}


@dataclass
class _State:
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    items: dict[str, _Item] = field(default_factory=dict)
    signed: dict[str, str] = field(default_factory=dict)  # pre-signed download key -> file id
    next_id: int = 1000
    edits: int = 0


class FakeBox(ServiceFake):
    connector = "box"

    def __init__(self) -> None:
        super().__init__()
        self.state = _State()
        self.page_size = 100  # Box's default; it may answer fewer than `limit`
        self.download_location: str | None = None  # where a content request redirects, if set (a hostile Box)

    # --- what a test does at Box -----------------------------------------------------------

    def folder(self, name: str, parent: str = "0") -> str:
        return self._add(_Item("", name, parent, folder=True)).id

    def put(self, name: str, data: bytes, parent: str = "0", size: int | None = None) -> _Item:
        return self._add(_Item("", name, parent, data, size=size))

    def edit(self, item: _Item, data: bytes) -> None:
        self.state.edits += 1
        item.data, item.modified_at = data, datetime.now(UTC) + timedelta(minutes=self.state.edits)

    def delete(self, item: _Item) -> None:
        del self.state.items[item.id]

    def revoke_all(self) -> None:
        self.state.tokens.clear()

    def _add(self, item: _Item) -> _Item:
        self.state.next_id += 1
        item.id = str(self.state.next_id)
        self.state.items[item.id] = item
        return item

    # --- the wire ---------------------------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        if request.path.startswith("/d/"):
            return self._signed(request.path.removeprefix("/d/"))
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.state.tokens:
            return _error(401, "unauthorized", "Unauthorized")
        if request.method != "GET":
            return _error(405, "method_not_allowed", "Method Not Allowed")
        parts = request.path.strip("/").split("/")
        if parts == ["2.0", "users", "me"]:
            return Reply(200, {"type": "user", "id": "11446498", "name": "Ada Lovelace", "login": "ada@example.com"})
        if len(parts) == 4 and parts[:2] == ["2.0", "folders"] and parts[3] == "items":
            return self._items(parts[2], request.query)
        if len(parts) == 4 and parts[:2] == ["2.0", "files"] and parts[3] == "content":
            return self._content(parts[2])
        return _error(404, "not_found", "Not Found")

    def _items(self, folder: str, query: dict[str, str]) -> Reply:
        if folder != "0" and not (folder in self.state.items and self.state.items[folder].folder):
            return _error(404, "not_found", "Not Found")
        if query.get("usemarker") != "true":
            return _error(400, "bad_request", "this fake pages by marker only")
        inside = sorted((i for i in self.state.items.values() if i.parent == folder), key=lambda i: int(i.id))
        start = int(query.get("marker") or "0")
        size = min(int(query.get("limit", "100")), self.page_size, 1000)
        chunk = inside[start : start + size]
        answer: dict[str, Any] = {"entries": [i.json() for i in chunk], "limit": size}
        if start + size < len(inside):
            answer["next_marker"] = str(start + size)
        return Reply(200, answer)

    def _content(self, file_id: str) -> Reply:
        found = self.state.items.get(file_id)
        if found is None or found.folder:
            return _error(404, "not_found", "Not Found")
        key = secrets.token_urlsafe(24)
        self.state.signed[key] = file_id
        location = self.download_location or f"{self.url}/d/{key}"
        return Reply(302, b"", {"location": location})

    def _signed(self, key: str) -> Reply:
        found = self.state.items.get(self.state.signed.pop(key, ""))
        if found is None:
            return Reply(403, b"Request has expired")
        return Reply(200, found.data, {"content-type": "application/octet-stream"})


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"type": "error", "status": status, "code": code, "message": message})
