"""A loopback Box speaking its API 2.0: `GET /2.0/users/me`, `GET /2.0/folders/{id}/items`
(marker-based paging: `usemarker=true`, `marker`, `next_marker` absent on the last page; the
root folder is "0") and `GET /2.0/files/{id}/content`, which answers 302 to a pre-signed address
on the download host (here `/d/…` on this same server, standing for dl.boxcloud.com) that needs
no token; `GET /2.0/files/{id}` (404 with code "trashed" for a file in the trash); and the
member's change stream, `GET /2.0/events?stream_type=changes` (`stream_position=now`, or a
position: the events after it, at most `limit` (500), each `{"type": "event", "event_id",
"event_type", "source", ...}`, and `next_stream_position`), which can send an event twice, as
Box says it may. Errors as Box sends them: `{"type": "error", "status", "code", "message"}`.
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
    trashed: bool = False

    def json(self) -> dict[str, Any]:
        status = "trashed" if self.trashed else "active"
        if self.folder:
            return {"type": "folder", "id": self.id, "name": self.name, "etag": "0", "item_status": status}
        size = len(self.data) if self.size is None else self.size
        stamp = self.modified_at.strftime("%Y-%m-%dT%H:%M:%S-00:00")
        found = {"type": "file", "id": self.id, "name": self.name, "size": size, "modified_at": stamp, "etag": "0"}
        return found | {"item_status": status, "parent": {"type": "folder", "id": self.parent}}


@dataclass
class _State:
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    items: dict[str, _Item] = field(default_factory=dict)
    signed: dict[str, str] = field(default_factory=dict)  # pre-signed download key -> file id
    next_id: int = 1000
    edits: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # the change stream; position n: events[:n] past


class FakeBox(ServiceFake):
    connector = "box"

    def __init__(self) -> None:
        super().__init__()
        self.state = _State()
        self.page_size = 100  # Box's default; it may answer fewer than `limit`
        self.download_location: str | None = None  # where a content request redirects, if set (a hostile Box)
        self.send_twice = False  # every new event goes into the stream twice (Box's duplicates)

    # --- what a test does at Box -----------------------------------------------------------

    def folder(self, name: str, parent: str = "0") -> str:
        found = self._add(_Item("", name, parent, folder=True))
        self._event("ITEM_CREATE", found)
        return found.id

    def put(self, name: str, data: bytes, parent: str = "0", size: int | None = None) -> _Item:
        found = self._add(_Item("", name, parent, data, size=size))
        self._event("ITEM_UPLOAD", found)
        return found

    def edit(self, item: _Item, data: bytes) -> None:
        """A new version uploaded."""
        self._touch(item)
        item.data = data
        self._event("ITEM_UPLOAD", item)

    def rename(self, item: _Item, name: str) -> None:
        self._touch(item)
        item.name = name
        self._event("ITEM_RENAME", item)

    def move(self, item: _Item, parent: str) -> None:
        item.parent = parent
        self._event("ITEM_MOVE", item)

    def delete(self, item: _Item) -> None:
        """Moved to the trash (what deleting does at Box); what was in a folder goes with it."""
        item.trashed = True
        self._event("ITEM_TRASH", item)

    def restore(self, item: _Item) -> None:
        item.trashed = False
        self._event("ITEM_UNDELETE_VIA_TRASH", item)

    def item(self, item_id: str) -> _Item:
        return self.state.items[item_id]

    def revoke_all(self) -> None:
        self.state.tokens.clear()

    def _touch(self, item: _Item) -> None:
        self.state.edits += 1
        item.modified_at = datetime.now(UTC) + timedelta(minutes=self.state.edits)

    def _event(self, event_type: str, item: _Item) -> None:
        event = {
            "type": "event",
            "event_id": secrets.token_hex(20),
            "event_type": event_type,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S-00:00"),
            "created_by": {"type": "user", "id": "11446498", "name": "Ada Lovelace", "login": "ada@example.com"},
            "session_id": "37s0swhf516mcne1",
            "source": item.json(),
        }
        self.state.events += [event, event] if self.send_twice else [event]

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
        if len(parts) == 3 and parts[:2] == ["2.0", "files"]:
            return self._file(parts[2])
        if parts == ["2.0", "events"]:
            return self._events(request.query)
        return _error(404, "not_found", "Not Found")

    def _in_trash(self, item: _Item) -> bool:
        """Trashed itself, or inside a trashed folder."""
        while True:
            if item.trashed:
                return True
            if item.parent not in self.state.items:
                return False
            item = self.state.items[item.parent]

    def _file(self, file_id: str) -> Reply:
        found = self.state.items.get(file_id)
        if found is None or found.folder:
            return _error(404, "not_found", "Not Found")
        if self._in_trash(found):
            return _error(404, "trashed", "Item is trashed")
        return Reply(200, found.json())

    def _events(self, query: dict[str, str]) -> Reply:
        if query.get("stream_type") != "changes":
            return _error(400, "bad_request", "this fake speaks the changes stream only")
        position = query.get("stream_position", "0")
        if position == "now":
            return Reply(200, {"chunk_size": 0, "next_stream_position": len(self.state.events), "entries": []})
        if not position.isdigit():
            return _error(400, "bad_request", "Invalid stream_position")
        start, limit = int(position), min(int(query.get("limit", "100")), 500)
        chunk = self.state.events[start : start + limit]
        answer = {"chunk_size": len(chunk), "next_stream_position": start + len(chunk), "entries": chunk}
        return Reply(200, answer)

    def _items(self, folder: str, query: dict[str, str]) -> Reply:
        if folder != "0" and not (folder in self.state.items and self.state.items[folder].folder):
            return _error(404, "not_found", "Not Found")
        if folder != "0" and self._in_trash(self.state.items[folder]):
            return _error(404, "trashed", "Item is trashed")
        if query.get("usemarker") != "true":
            return _error(400, "bad_request", "this fake pages by marker only")
        inside = sorted(
            (i for i in self.state.items.values() if i.parent == folder and not i.trashed), key=lambda i: int(i.id)
        )
        start = int(query.get("marker") or "0")
        size = min(int(query.get("limit", "100")), self.page_size, 1000)
        chunk = inside[start : start + size]
        answer: dict[str, Any] = {"entries": [i.json() for i in chunk], "limit": size}
        if start + size < len(inside):
            answer["next_marker"] = str(start + size)
        return Reply(200, answer)

    def _content(self, file_id: str) -> Reply:
        found = self.state.items.get(file_id)
        if found is None or found.folder or self._in_trash(found):
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
