"""Asana's REST API (1.0) as Atom speaks it: the one place its JSON becomes typed values.

Answers wrap their payload in `{"data": …}`; lists page by `offset` (`next_page.offset`, null
at the end). Tasks assigned to the member come from `GET /api/1.0/tasks?assignee=me&workspace=…`:
`completed_since=now` for only open ones, `modified_since` for what changed. Completing is
`PUT /api/1.0/tasks/{gid}` with `{"data": {"completed": true}}`; `GET /api/1.0/tasks/{gid}`
reads one (404 once deleted, 403 once the member may no longer see it). Without `opt_fields` a
list holds compact records (gid, name). Errors are `{"errors": [{"message": …}]}`; an expired
pagination offset answers 400.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "Workspace",
    "Me",
    "AsanaTask",
    "TaskPage",
    "me",
    "first_page",
    "task_page",
    "open_task_gids",
    "read_task",
    "complete",
]

T = TypeVar("T")
_FIELDS = "name,notes,completed,due_on,permalink_url,modified_at"


class Workspace(msgspec.Struct, frozen=True):
    gid: str
    name: str = ""


class Me(msgspec.Struct, frozen=True):
    gid: str
    name: str = ""
    email: str = ""
    workspaces: list[Workspace] = []


class _Ref(msgspec.Struct, frozen=True):
    gid: str


class AsanaTask(msgspec.Struct, frozen=True):
    gid: str
    name: str = ""
    notes: str = ""
    completed: bool = False
    due_on: date | None = None
    permalink_url: str | None = None
    modified_at: datetime | None = None
    assignee: _Ref | None = None


class _Next(msgspec.Struct, frozen=True):
    offset: str


class TaskPage(msgspec.Struct, frozen=True):
    data: list[AsanaTask] = []
    next_page: _Next | None = None


class _MeAnswer(msgspec.Struct, frozen=True):
    data: Me


class _TaskAnswer(msgspec.Struct, frozen=True):
    data: AsanaTask


async def me(http: ServiceHttp) -> Me:
    return _typed(await _json(http, "GET", "api:/api/1.0/users/me"), _MeAnswer).data


def first_page(workspace: str, modified_since: str | None) -> dict[str, str]:
    """The query for the member's tasks in `workspace`: open ones, or all changed since the cursor."""
    query = {"assignee": "me", "workspace": workspace, "limit": "100", "opt_fields": _FIELDS}
    return query | ({"modified_since": modified_since} if modified_since else {"completed_since": "now"})


async def task_page(http: ServiceHttp, query: dict[str, str]) -> TaskPage:
    return _typed(await _json(http, "GET", "api:/api/1.0/tasks?" + urlencode(query)), TaskPage)


async def open_task_gids(http: ServiceHttp, workspace: str) -> set[str]:
    """Every open task assigned to the member in `workspace` (compact records: only their gids count)."""
    query = {"assignee": "me", "workspace": workspace, "completed_since": "now", "limit": "100"}
    found: set[str] = set()
    while True:
        page = await task_page(http, query)
        found |= {task.gid for task in page.data}
        if page.next_page is None:
            return found
        query["offset"] = page.next_page.offset


async def read_task(http: ServiceHttp, task_gid: str) -> AsanaTask | None:
    """The task with its assignee; None when it is gone for the member (deleted, or out of their sight)."""
    where = f"api:/api/1.0/tasks/{quote(task_gid, safe='')}?" + urlencode({"opt_fields": _FIELDS + ",assignee"})
    response = await http.request("GET", where)
    if response.status_code in (403, 404):
        return None
    if response.status_code != 200:
        raise ServiceFailed(f"Asana answered {response.status_code} ({_message(response)})")
    try:
        return _typed(response.json(), _TaskAnswer).data
    except ValueError:
        raise ServiceFailed("Asana answered with something that is not JSON") from None


async def complete(http: ServiceHttp, task_gid: str) -> bool:
    """Complete the task in Asana; False when it is gone."""
    where = f"api:/api/1.0/tasks/{quote(task_gid, safe='')}"
    response = await http.request("PUT", where, json={"data": {"completed": True}})
    if response.status_code in (403, 404):
        return False
    if response.status_code != 200:
        raise ServiceFailed(f"Asana answered {response.status_code} to completing a task")
    return True


async def _json(http: ServiceHttp, method: str, where: str) -> Any:
    response = await http.request(method, where)
    if response.status_code != 200:
        raise ServiceFailed(f"Asana answered {response.status_code} ({_message(response)})")
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Asana answered with something that is not JSON") from None


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json()["errors"][0]["message"])[:80]
    except (ValueError, KeyError, IndexError, TypeError):
        return "error"


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Asana answered in a shape Atom does not know") from None
