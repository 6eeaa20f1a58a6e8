"""A loopback Asana REST API 1.0: `GET /api/1.0/users/me` (with the member's workspaces),
`GET /api/1.0/tasks?assignee=me&workspace=…` (`completed_since=now` for open tasks only,
`modified_since` for what changed; pages of `limit` by `offset`, `next_page` null at the end;
compact records (gid, name) unless `opt_fields` asks for more), `GET /api/1.0/tasks/{gid}` (with
its assignee; 404 once deleted) and `PUT /api/1.0/tasks/{gid}`. Payloads wrapped in
`{"data": …}`; errors as `{"errors": [{"message": …}]}`: 401 for a bad token, 400 for an
unknown offset, 429 with Retry-After for a rate limit.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.service import ServiceFake

__all__ = ["FakeAsana", "TOKEN"]

TOKEN = "2/1203456789012345/1208765432109876:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99"
WORKSPACE = "1201234567890"
ME = "1209"  # the token's user; any other assignee is someone else
_PEOPLE = {"me": ME, "bob": "1210"}


@dataclass
class _Task:
    gid: str
    name: str
    modified_at: datetime
    notes: str = ""
    completed: bool = False
    due_on: str | None = None
    assignee: str | None = "me"

    def compact(self) -> dict[str, Any]:
        return {"gid": self.gid, "resource_type": "task", "name": self.name, "resource_subtype": "default_task"}

    def json(self) -> dict[str, Any]:
        return {
            "gid": self.gid,
            "resource_type": "task",
            "name": self.name,
            "notes": self.notes,
            "completed": self.completed,
            "due_on": self.due_on,
            "permalink_url": f"https://app.asana.com/0/{WORKSPACE}/{self.gid}",
            "modified_at": self.modified_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "assignee": {"gid": _PEOPLE[self.assignee], "resource_type": "user"} if self.assignee else None,
        }


class FakeAsana(ServiceFake):
    connector = "asana"

    def __init__(self) -> None:
        super().__init__()
        self.tokens = {TOKEN}
        self.tasks: dict[str, _Task] = {}
        self._limited_reads = 0

    def add(self, name: str, **fields: Any) -> _Task:
        task = _Task(str(1205000000000 + len(self.tasks)), name, datetime.now(UTC), **fields)
        self.tasks[task.gid] = task
        return task

    def change(self, task: _Task, **fields: Any) -> None:
        with self.lock:  # the server thread answers meanwhile: a change is seen whole or not at all
            self._change(task, **fields)

    def delete(self, task: _Task) -> None:
        with self.lock:
            del self.tasks[task.gid]

    def limit_reads(self, times: int) -> None:
        """The next `times` reads of a single task answer 429 with a short Retry-After."""
        self._limited_reads = times

    def _change(self, task: _Task, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(task, name, value)
        task.modified_at = datetime.now(UTC)  # after any sync so far

    def route(self, request: Recorded) -> Reply:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _error(401, "Not Authorized")
        if request.method == "GET" and request.path == "/api/1.0/users/me":
            me = {"gid": "1209", "name": "Ada Lovelace", "email": "ada@example.com"}
            return Reply(200, {"data": me | {"workspaces": [{"gid": WORKSPACE, "name": "Home"}]}})
        if request.method == "GET" and request.path == "/api/1.0/tasks":
            return self._list(request.query)
        if request.method == "GET" and request.path.startswith("/api/1.0/tasks/"):
            return self._read(request.path.rsplit("/", 1)[1])
        if request.method == "PUT" and request.path.startswith("/api/1.0/tasks/"):
            return self._update(request.path.rsplit("/", 1)[1], (request.body or {}).get("data", {}))
        return _error(404, "Unknown object: " + request.path[:60])

    def _list(self, query: dict[str, str]) -> Reply:
        if query.get("assignee") != "me" or query.get("workspace") != WORKSPACE:
            return _error(400, "workspace: Missing input")
        found = [t for t in self.tasks.values() if t.assignee == "me"]
        shown = _Task.json if "opt_fields" in query else _Task.compact
        if query.get("completed_since") == "now":
            found = [t for t in found if not t.completed]
        if "modified_since" in query:
            since = datetime.strptime(query["modified_since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            found = [t for t in found if t.modified_at > since]
        found.sort(key=lambda t: t.gid)
        try:
            start = int(base64.b64decode(query["offset"]).decode().removeprefix("at:")) if "offset" in query else 0
        except ValueError:
            return _error(400, "offset: Your pagination token is invalid")
        size = int(query.get("limit", "20"))
        more = start + size < len(found)
        offset = base64.b64encode(f"at:{start + size}".encode()).decode()
        next_page = {
            "offset": offset,
            "path": f"/tasks?offset={offset}",
            "uri": f"{self.url}/api/1.0/tasks?offset={offset}",
        }
        return Reply(
            200, {"data": [shown(t) for t in found[start : start + size]], "next_page": next_page if more else None}
        )

    def _read(self, gid: str) -> Reply:
        if self._limited_reads:
            self._limited_reads -= 1
            return Reply(
                429, {"errors": [{"message": "You have made too many requests recently."}]}, {"retry-after": "2"}
            )
        task = self.tasks.get(gid)
        return Reply(200, {"data": task.json()}) if task else _error(404, f"task: Unknown object: {gid}")

    def _update(self, gid: str, data: dict[str, Any]) -> Reply:
        task = self.tasks.get(gid)
        if task is None:
            return _error(404, f"task: Unknown object: {gid}")
        self._change(task, **{k: v for k, v in data.items() if k in ("completed", "name")})  # the lock is held here
        return Reply(200, {"data": task.json()})


def _error(status: int, message: str) -> Reply:
    return Reply(
        status,
        {
            "errors": [
                {
                    "message": message,
                    "help": "For more information on API status codes see https://asana.com/developers/documentation/getting-started/errors",
                }
            ]
        },
    )
