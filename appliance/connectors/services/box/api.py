"""Box API 2.0 as Atom reads it: the one place its JSON becomes typed values.

`GET /2.0/users/me` names the account; `GET /2.0/folders/{id}/items` lists a folder (the root
is "0") a page at a time with marker-based paging (`usemarker=true`, then `marker=next_marker`
until Box gives none). `GET /2.0/files/{id}/content` answers 302 to a pre-signed address on
dl.boxcloud.com, which the client follows without the token (the manifest's `follow_to`).
Errors are `{"type": "error", "status", "code", "message"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = ["ROOT", "Item", "ItemPage", "who", "folder_page", "download"]

T = TypeVar("T")
ROOT = "0"
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


class _User(msgspec.Struct, frozen=True):
    login: str = ""
    name: str = ""


async def who(http: ServiceHttp) -> str:
    found = _typed(await _get(http, "api:/2.0/users/me", {"fields": "login,name"}), _User)
    return found.login or found.name or "Box"


async def folder_page(http: ServiceHttp, folder_id: str, marker: str | None) -> ItemPage:
    params = {"fields": _FIELDS, "usemarker": "true", "limit": "1000"} | ({"marker": marker} if marker else {})
    return _typed(await _get(http, f"api:/2.0/folders/{_id(folder_id)}/items", params), ItemPage)


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
