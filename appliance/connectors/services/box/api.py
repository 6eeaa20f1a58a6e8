"""Box API 2.0 as Atom reads it: the one place its JSON becomes typed values.

`GET /2.0/users/me` names the account; `GET /2.0/folders/{id}/items` lists a folder (the root
is "0") a page at a time with marker-based paging (`usemarker=true`, then `marker=next_marker`
until Box gives none). `GET /2.0/files/{id}/content` answers 302 to a pre-signed address on
dl.boxcloud.com, which the client follows without the token (the manifest's `follow_to`).
`GET /2.0/events?stream_type=changes` is the member's stream of changes to their files and
folders: `stream_position=now` answers no events and where the stream is now; from a position it
answers the events after it (oldest first, `limit` at most 500, possibly some twice or out of
order: `event_id` tells duplicates apart) and `next_stream_position`. `GET /2.0/files/{id}` is a
file as it is now (404, code "trashed" or "not_found", once it is in the trash or gone).
Errors are `{"type": "error", "status", "code", "message"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "ROOT",
    "EVENTS_LIMIT",
    "Item",
    "ItemPage",
    "Event",
    "ChangePage",
    "who",
    "folder_page",
    "file",
    "stream_now",
    "event_page",
    "download",
]

T = TypeVar("T")
ROOT = "0"
EVENTS_LIMIT = 500  # Box's most per page
_FIELDS = "type,id,name,size,modified_at"


class Item(msgspec.Struct, frozen=True):
    type: Literal["file", "folder", "web_link"]
    id: str
    name: str = ""
    size: int = 0
    modified_at: datetime | None = None


class ItemPage(msgspec.Struct, frozen=True):
    entries: list[Item]
    next_marker: str | None = None


class Event(msgspec.Struct, frozen=True):
    event_id: str
    event_type: str
    source: Item | None  # the file or folder it happened to; None for any other kind of source


class ChangePage(msgspec.Struct, frozen=True):
    position: str  # next_stream_position: where the next page starts
    count: int  # events on this page (a full page means more may follow)
    events: list[Event]


class _RawEvent(msgspec.Struct, frozen=True):
    event_id: str
    event_type: str
    source: dict[str, object] | None = None


class _RawPage(msgspec.Struct, frozen=True):
    next_stream_position: int | str
    entries: list[_RawEvent] = []


class _User(msgspec.Struct, frozen=True):
    login: str = ""
    name: str = ""


async def who(http: ServiceHttp) -> str:
    found = _typed(await _get(http, "api:/2.0/users/me", {"fields": "login,name"}), _User)
    return found.login or found.name or "Box"


async def folder_page(http: ServiceHttp, folder_id: str, marker: str | None) -> ItemPage:
    params = {"fields": _FIELDS, "usemarker": "true", "limit": "1000"} | ({"marker": marker} if marker else {})
    return _typed(await _get(http, f"api:/2.0/folders/{_id(folder_id)}/items", params), ItemPage)


async def file(http: ServiceHttp, file_id: str) -> Item | None:
    """The file as it is now; None once it is in the trash or gone."""
    response = await http.request("GET", f"api:/2.0/files/{_id(file_id)}", params={"fields": _FIELDS})
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise ServiceFailed(f"Box answered {response.status_code} to a file's details")
    try:
        return _typed(response.json(), Item)
    except ValueError:
        raise ServiceFailed("Box answered with something that is not JSON") from None


async def stream_now(http: ServiceHttp) -> str:
    """Where the member's change stream is now (events after it are the ones still to come)."""
    return (await event_page(http, "now")).position


async def event_page(http: ServiceHttp, position: str) -> ChangePage:
    params = {"stream_type": "changes", "stream_position": position, "limit": str(EVENTS_LIMIT)}
    raw = _typed(await _get(http, "api:/2.0/events", params), _RawPage)
    return ChangePage(position=str(raw.next_stream_position), count=len(raw.entries), events=_known(raw.entries))


async def download(http: ServiceHttp, file_id: str, limit: int) -> bytes | None:
    """The file's bytes; None when it is gone or larger than `limit` after all."""
    response = await http.request("GET", f"api:/2.0/files/{_id(file_id)}/content")
    if response.status_code == 404:
        return None  # deleted since it was listed
    if response.status_code != 200:
        raise ServiceFailed(f"Box answered {response.status_code} to a download")
    return response.content if len(response.content) <= limit else None


async def _get(http: ServiceHttp, where: str, params: dict[str, str]) -> object:
    response = await http.request("GET", where, params=params)
    if response.status_code == 404:
        raise ServiceFailed("Box no longer has a folder Atom was listing; the next sync starts over")
    if response.status_code != 200:
        raise ServiceFailed(f"Box answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Box answered with something that is not JSON") from None


def _known(entries: list[_RawEvent]) -> list[Event]:
    """Events as Atom reads them: their source only when it is a file or a folder."""
    found = []
    for raw in entries:
        kind = raw.source.get("type") if raw.source else None
        source = _typed(raw.source, Item) if kind in ("file", "folder") else None
        found.append(Event(event_id=raw.event_id, event_type=raw.event_type, source=source))
    return found


def _id(value: str) -> str:
    """Box's ids are digits: anything else never becomes part of a path."""
    if not value.isdigit():
        raise ServiceFailed("Box answered with an id Atom does not know")
    return value


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Box answered in a shape Atom does not know") from None
