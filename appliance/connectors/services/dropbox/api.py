"""Dropbox API v2 as Atom reads it: the one place its JSON becomes typed values.

RPC endpoints take JSON bodies (`POST /2/files/list_folder` from the root, recursive, with
deleted entries; `POST /2/files/list_folder/continue` with its `cursor`, which also returns only
what changed since). A file's bytes come from the content host (`POST /2/files/download`, the
path in the `Dropbox-API-Arg` header). Errors are `{"error_summary": …, "error": {".tag": …}}`;
a cursor Dropbox no longer honours answers 409 with the tag `reset`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, TypeVar

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = ["CursorReset", "Entry", "Listing", "who", "list_folder", "list_more", "download", "revoke"]

T = TypeVar("T")


class CursorReset(Exception):
    """409 reset: list the folder from the start again."""


class Entry(msgspec.Struct, frozen=True):
    tag: Literal["file", "folder", "deleted"] = msgspec.field(name=".tag")
    name: str
    path_lower: str = ""
    path_display: str = ""
    id: str = ""
    size: int = 0
    server_modified: datetime | None = None


class Listing(msgspec.Struct, frozen=True):
    entries: list[Entry]
    cursor: str
    has_more: bool = False


class _Name(msgspec.Struct, frozen=True):
    display_name: str = ""


class _Account(msgspec.Struct, frozen=True):
    email: str = ""
    name: _Name | None = None


async def who(http: ServiceHttp) -> str:
    found = _typed(await _rpc(http, "api:/2/users/get_current_account", None), _Account)
    return found.email or (found.name.display_name if found.name else "") or "Dropbox"


async def list_folder(http: ServiceHttp) -> Listing:
    body = {"path": "", "recursive": True, "include_deleted": True, "limit": 2000}
    return _typed(await _rpc(http, "api:/2/files/list_folder", body), Listing)


async def list_more(http: ServiceHttp, cursor: str) -> Listing:
    return _typed(await _rpc(http, "api:/2/files/list_folder/continue", {"cursor": cursor}), Listing)


async def download(http: ServiceHttp, file_id: str, limit: int) -> bytes | None:
    """The file's bytes; None when it is gone or larger than `limit` after all."""
    headers = {"Dropbox-API-Arg": json.dumps({"path": file_id})}
    response = await http.request("POST", "content:/2/files/download", headers=headers)
    if response.status_code == 409:
        return None  # path/not_found: deleted since it was listed
    if response.status_code != 200:
        raise ServiceFailed(f"Dropbox answered {response.status_code} to a download")
    return response.content if len(response.content) <= limit else None


async def revoke(http: ServiceHttp, access_token: str) -> bool:
    """POST /2/auth/token/revoke with the connection's own token (its refresh token goes with it)."""
    headers = {"Authorization": f"Bearer {access_token}"}
    response = await http.request("POST", "api:/2/auth/token/revoke", headers=headers)
    return response.status_code == 200


async def _rpc(http: ServiceHttp, where: str, body: Any) -> object:
    response = await http.request("POST", where, json=body)
    if response.status_code == 409 and _tag(response) == "reset":
        raise CursorReset
    if response.status_code != 200:
        raise ServiceFailed(f"Dropbox answered {response.status_code} ({_tag(response) or 'error'})")
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Dropbox answered with something that is not JSON") from None


def _tag(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"][".tag"])[:60]
    except (ValueError, KeyError, TypeError):
        return ""


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Dropbox answered in a shape Atom does not know") from None
