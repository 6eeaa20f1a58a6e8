"""Microsoft Graph v1.0 as Atom speaks it: the one place its JSON becomes typed values.

To Do: `GET /me/todo/lists` (paged by `@odata.nextLink`); each list's tasks by
`GET /me/todo/lists/{id}/tasks/delta`, paged by `@odata.nextLink` until a last page holding an
`@odata.deltaLink`, which the next sync follows to get only what changed (a deleted task comes as
`{"id": ..., "@removed": {"reason": "deleted"}}`). Completing: `PATCH .../tasks/{id}` with
`{"status": "completed"}`.
Outlook: `GET /me/calendarView/delta?startDateTime=…&endDateTime=…`, paged and tracked the same
way; each occurrence of a series is an event of its own. Times come in UTC (`Prefer:
outlook.timezone="UTC"`). A delta link Graph no longer honours answers 410.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "DeltaGone",
    "Moment",
    "TodoList",
    "TodoTask",
    "OutlookEvent",
    "TaskPage",
    "EventPage",
    "me",
    "todo_lists",
    "first_tasks_page",
    "task_page",
    "complete_task",
    "first_events_page",
    "event_page",
]

T = TypeVar("T")
_PREFER = {"Prefer": 'outlook.timezone="UTC", odata.maxpagesize=100'}


class DeltaGone(Exception):
    """410: Graph forgot the delta link's state; list everything again."""


class Moment(msgspec.Struct, frozen=True):
    dateTime: str  # noqa: N815 - Graph's names
    timeZone: str = "UTC"  # noqa: N815

    def utc(self) -> datetime | None:
        """The moment as aware UTC (Atom asks Graph for UTC), or None when unreadable."""
        try:
            found = datetime.fromisoformat(self.dateTime[:26])
        except ValueError:
            return None
        return found if found.tzinfo else found.replace(tzinfo=UTC)


class Body(msgspec.Struct, frozen=True):
    content: str = ""
    contentType: str = "text"  # noqa: N815


class Removed(msgspec.Struct, frozen=True):
    reason: str = "deleted"


class TodoList(msgspec.Struct, frozen=True):
    id: str
    displayName: str = ""  # noqa: N815


class TodoTask(msgspec.Struct, frozen=True):
    id: str
    title: str = ""
    status: str = "notStarted"
    body: Body | None = None
    dueDateTime: Moment | None = None  # noqa: N815
    removed: Removed | None = msgspec.field(default=None, name="@removed")


class Location(msgspec.Struct, frozen=True):
    displayName: str = ""  # noqa: N815


class OutlookEvent(msgspec.Struct, frozen=True):
    id: str
    subject: str = ""
    bodyPreview: str = ""  # noqa: N815
    start: Moment | None = None
    end: Moment | None = None
    isAllDay: bool = False  # noqa: N815
    isCancelled: bool = False  # noqa: N815
    location: Location | None = None
    webLink: str | None = None  # noqa: N815
    originalStartTimeZone: str | None = None  # noqa: N815
    removed: Removed | None = msgspec.field(default=None, name="@removed")


class _Page(msgspec.Struct, frozen=True):
    next_link: str | None = msgspec.field(default=None, name="@odata.nextLink")
    delta_link: str | None = msgspec.field(default=None, name="@odata.deltaLink")


class ListPage(_Page, frozen=True):
    value: list[TodoList] = []


class TaskPage(_Page, frozen=True):
    value: list[TodoTask] = []


class EventPage(_Page, frozen=True):
    value: list[OutlookEvent] = []


class _Me(msgspec.Struct, frozen=True):
    userPrincipalName: str = ""  # noqa: N815
    mail: str | None = None
    displayName: str = ""  # noqa: N815


async def me(http: ServiceHttp) -> str:
    found = _typed(_json(await _get(http, "graph:/v1.0/me", "your account")), _Me)
    return found.mail or found.userPrincipalName or found.displayName or "Microsoft account"


async def todo_lists(http: ServiceHttp) -> list[TodoList]:
    lists: list[TodoList] = []
    where: str | None = "graph:/v1.0/me/todo/lists"
    while where:
        page = _typed(_json(await _get(http, where, "your To Do lists")), ListPage)
        lists.extend(page.value)
        where = page.next_link
    return lists


def first_tasks_page(list_id: str) -> str:
    return f"graph:/v1.0/me/todo/lists/{quote(list_id, safe='')}/tasks/delta"


async def task_page(http: ServiceHttp, where: str) -> TaskPage:
    return _typed(_json(await _delta(http, where, "your To Do tasks")), TaskPage)


async def complete_task(http: ServiceHttp, list_id: str, task_id: str) -> bool:
    """Mark the task completed in To Do; False when it is no longer there."""
    where = f"graph:/v1.0/me/todo/lists/{quote(list_id, safe='')}/tasks/{quote(task_id, safe='')}"
    response = await http.request("PATCH", where, json={"status": "completed"})
    if response.status_code == 404:
        return False
    if response.status_code != 200:
        raise ServiceFailed(f"Microsoft Graph answered {response.status_code} to completing a task")
    return True


def first_events_page(start: datetime, end: datetime) -> str:
    window = {"startDateTime": _stamp(start), "endDateTime": _stamp(end)}
    return "graph:/v1.0/me/calendarView/delta?" + urlencode(window)


async def event_page(http: ServiceHttp, where: str) -> EventPage:
    return _typed(_json(await _delta(http, where, "your Outlook calendar")), EventPage)


async def _delta(http: ServiceHttp, where: str, what: str) -> httpx.Response:
    response = await http.request("GET", where, headers=_PREFER)
    if response.status_code == 410:
        raise DeltaGone
    return _ok(response, what)


async def _get(http: ServiceHttp, where: str, what: str) -> httpx.Response:
    return _ok(await http.request("GET", where, headers=_PREFER), what)


def _ok(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code != 200:
        raise ServiceFailed(f"Microsoft Graph answered {response.status_code} to the list of {what}")
    return response


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Microsoft Graph answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Microsoft Graph answered in a shape Atom does not know") from None
