"""A loopback Todoist speaking its Sync API v9: `POST /sync/v9/sync`, form-encoded, with
`sync_token` ("*": a full sync of active tasks; a token: what changed since), `resource_types`,
and `commands` (item_close), answered in `sync_status` by each command's uuid. A bad token
answers 401; rate limits answer 429 with Retry-After (ServiceFake.fail)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeTodoist", "TOKEN"]

TOKEN = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class _Item:
    id: str
    content: str
    description: str = ""
    checked: bool = False
    is_deleted: bool = False
    due: str | None = None
    changed_at: int = 0  # the change number that last touched it

    def json(self) -> dict[str, Any]:
        due = {"date": self.due, "is_recurring": False, "string": self.due, "lang": "en"} if self.due else None
        return {
            "id": self.id,
            "content": self.content,
            "description": self.description,
            "checked": self.checked,
            "is_deleted": self.is_deleted,
            "due": due,
            "project_id": "2203306141",
            "priority": 1,
            "labels": [],
            "child_order": 1,
            "user_id": "2671355",
        }


@dataclass
class _Store:
    items: dict[str, _Item] = field(default_factory=dict)
    changes: int = 0


class FakeTodoist(ServiceFake):
    connector = "todoist"

    def __init__(self) -> None:
        super().__init__()
        self.store = _Store()
        self.tokens = {TOKEN}

    def add(self, content: str, **fields: Any) -> _Item:
        item = _Item(id=str(6000000000 + len(self.store.items)), content=content, **fields)
        self.store.items[item.id] = item
        self._touch(item)
        return item

    def change(self, item: _Item, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(item, name, value)
        self._touch(item)

    def route(self, request: Recorded) -> Reply:
        if request.path != "/sync/v9/sync" or request.method != "POST":
            return Reply(404, {"error": "Not found"})
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return Reply(401, {"error": "Unauthorized", "error_code": 401, "http_code": 401})
        form = request.body or {}
        status = self._commands(json.loads(form.get("commands", "[]")))
        answer: dict[str, Any] = {"sync_status": status, "temp_id_mapping": {}}
        if "sync_token" in form:
            answer |= self._read(form["sync_token"], json.loads(form.get("resource_types", "[]")))
        return Reply(200, answer)

    def _read(self, sync_token: str, kinds: list[str]) -> dict[str, Any]:
        full = sync_token == "*"
        since = 0 if full else int(sync_token.removeprefix("tok-"))
        answer: dict[str, Any] = {"full_sync": full, "sync_token": f"tok-{self.store.changes}"}
        if "user" in kinds or "all" in kinds:
            answer["user"] = {"email": "ada@example.com", "full_name": "Ada Lovelace", "id": "2671355"}
        if "items" in kinds or "all" in kinds:
            changed = [i for i in self.store.items.values() if i.changed_at > since]
            answer["items"] = [i.json() for i in changed if not full or not (i.checked or i.is_deleted)]
        return answer

    def _commands(self, commands: list[dict[str, Any]]) -> dict[str, Any]:
        status: dict[str, Any] = {}
        for command in commands:
            item = self.store.items.get(str(command.get("args", {}).get("id")))
            if command.get("type") != "item_close" or item is None:
                status[command["uuid"]] = {"error_code": 22, "error": "Item not found"}
                continue
            self.change(item, checked=True)
            status[command["uuid"]] = "ok"
        return status

    def _touch(self, item: _Item) -> None:
        self.store.changes += 1
        item.changed_at = self.store.changes
