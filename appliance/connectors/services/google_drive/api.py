"""Google Drive API v3 as Atom reads it: the one place its JSON becomes typed values.

A first sync takes `GET /drive/v3/changes/startPageToken`, then lists the files
(`GET /drive/v3/files`, paged by `pageToken`); later syncs follow `GET /drive/v3/changes` from
that token (paged, ending with `newStartPageToken`; a removed or trashed file comes as such).
A Google Doc's text is exported (`/files/{id}/export?mimeType=text/plain`), other files are
downloaded (`/files/{id}?alt=media`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "DOC",
    "DriveFile",
    "FilePage",
    "ChangePage",
    "who",
    "start_token",
    "file_page",
    "change_page",
    "content",
    "revoke",
]

T = TypeVar("T")
DOC = "application/vnd.google-apps.document"
_FILE_FIELDS = "id,name,mimeType,modifiedTime,size,webViewLink,trashed"


class DriveFile(msgspec.Struct, frozen=True):
    id: str
    name: str = ""
    mimeType: str = ""  # noqa: N815 - Google's names
    modifiedTime: datetime | None = None  # noqa: N815
    size: int = 0
    webViewLink: str | None = None  # noqa: N815
    trashed: bool = False


class FilePage(msgspec.Struct, frozen=True):
    files: list[DriveFile] = []
    nextPageToken: str | None = None  # noqa: N815


class Change(msgspec.Struct, frozen=True):
    fileId: str  # noqa: N815
    removed: bool = False
    file: DriveFile | None = None


class ChangePage(msgspec.Struct, frozen=True):
    changes: list[Change] = []
    nextPageToken: str | None = None  # noqa: N815
    newStartPageToken: str | None = None  # noqa: N815


class _User(msgspec.Struct, frozen=True):
    emailAddress: str = ""  # noqa: N815
    displayName: str = ""  # noqa: N815


class _About(msgspec.Struct, frozen=True):
    user: _User


class _Start(msgspec.Struct, frozen=True):
    startPageToken: str  # noqa: N815


async def who(http: ServiceHttp) -> str:
    user = _typed(await _json(http, "api:/drive/v3/about?fields=user"), _About).user
    return user.emailAddress or user.displayName or "Google Drive"


async def start_token(http: ServiceHttp) -> str:
    return _typed(await _json(http, "api:/drive/v3/changes/startPageToken"), _Start).startPageToken


async def file_page(http: ServiceHttp, page_token: str | None) -> FilePage:
    query = {"q": "trashed = false", "pageSize": "100", "fields": f"nextPageToken,files({_FILE_FIELDS})"}
    query |= {"pageToken": page_token} if page_token else {}
    return _typed(await _json(http, "api:/drive/v3/files?" + urlencode(query)), FilePage)


async def change_page(http: ServiceHttp, page_token: str) -> ChangePage:
    fields = f"nextPageToken,newStartPageToken,changes(fileId,removed,file({_FILE_FIELDS}))"
    query = {"pageToken": page_token, "pageSize": "100", "fields": fields}
    return _typed(await _json(http, "api:/drive/v3/changes?" + urlencode(query)), ChangePage)


async def content(http: ServiceHttp, found: DriveFile, limit: int) -> bytes | None:
    """The file's bytes (a Doc's exported text); None when gone or larger than `limit` after all."""
    where = f"api:/drive/v3/files/{quote(found.id, safe='')}"
    where += "/export?mimeType=text%2Fplain" if found.mimeType == DOC else "?alt=media"
    response = await http.request("GET", where)
    if response.status_code in (403, 404):  # gone, or not exportable
        return None
    if response.status_code != 200:
        raise ServiceFailed(f"Google Drive answered {response.status_code} to a download")
    return response.content if len(response.content) <= limit else None


async def revoke(http: ServiceHttp, token: str) -> bool:
    """POST /revoke with the token in the form body (never in the address, where logs would keep it)."""
    response = await http.request("POST", "token:/revoke", data={"token": token})
    return response.status_code == 200


async def _json(http: ServiceHttp, where: str) -> object:
    response = await http.request("GET", where)
    if response.status_code != 200:
        raise ServiceFailed(f"Google Drive answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Google Drive answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except (msgspec.ValidationError, httpx.DecodingError):
        raise ServiceFailed("Google Drive answered in a shape Atom does not know") from None
