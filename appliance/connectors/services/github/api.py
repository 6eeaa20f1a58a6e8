"""GitHub's REST API as Atom reads it: the one place its JSON becomes typed values."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = ["Issue", "IssuePage", "viewer", "assigned_issues", "first_page", "revoke_grant"]

_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
T = TypeVar("T")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class Repository(msgspec.Struct, frozen=True):
    full_name: str


class Issue(msgspec.Struct, frozen=True):
    id: int
    number: int
    title: str
    html_url: str
    state: str
    updated_at: datetime
    body: str | None = None
    repository: Repository | None = None
    pull_request: dict[str, object] | None = None


class IssuePage(msgspec.Struct, frozen=True):
    issues: list[Issue]
    next: str | None


class _User(msgspec.Struct, frozen=True):
    login: str


async def viewer(http: ServiceHttp) -> str:
    body = await http.json("GET", "api:/user", headers=_HEADERS)
    return _typed(body, _User).login


def first_page(since: str | None) -> str:
    """Issues assigned to the member in every repository, oldest change first, from `since` on."""
    query = {"filter": "assigned", "state": "all", "sort": "updated", "direction": "asc", "per_page": "100"}
    return "api:/issues?" + urlencode(query | ({"since": since} if since else {}))


async def assigned_issues(http: ServiceHttp, where: str) -> IssuePage:
    response = await http.request("GET", where, headers=_HEADERS)
    if response.status_code != 200:
        raise ServiceFailed(f"GitHub answered {response.status_code} to the list of your issues")
    found = _NEXT.search(response.headers.get("link", ""))
    return IssuePage(issues=_typed(_json(response), list[Issue]), next=found.group(1) if found else None)


async def revoke_grant(http: ServiceHttp, client_id: str, client_secret: str, access_token: str) -> bool:
    """DELETE /applications/{client_id}/grant: revokes every token of this app for the member."""
    response = await http.request(
        "DELETE",
        f"api:/applications/{client_id}/grant",
        headers=_HEADERS,
        auth=(client_id, client_secret),
        json={"access_token": access_token},
    )
    return response.status_code == 204


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("GitHub answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("GitHub answered in a shape Atom does not know") from None
