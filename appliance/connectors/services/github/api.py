"""GitHub's REST API as Atom reads it: the one place its JSON becomes typed values.

`GET /issues?filter=assigned` lists the issues and pull requests assigned to the member across
their repositories (Link-paged). `GET /repos/{owner}/{repo}/issues/{number}` reads one: 301 when
it was transferred, 404 when it was deleted or moved where the member cannot read, 410 when it
was deleted where they can.

GitHub says "slow down" with a 403 (or 429): `x-ratelimit-remaining: 0` is the primary limit,
over at `x-ratelimit-reset` (epoch seconds); a `retry-after` is a secondary limit. A 403 with
neither is a real refusal.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "Issue",
    "IssuePage",
    "Gone",
    "viewer",
    "assigned_issues",
    "first_page",
    "open_assigned",
    "open_assigned_ids",
    "read_issue",
    "revoke_grant",
    "rate_limited",
]

_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
T = TypeVar("T")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
# An issue's or pull request's page, as GitHub links it: where its API address is read from
# (owner and repository never `.` or `..`, so the address stays under /repos/).
_PAGE = re.compile(r"https://github\.com/(?!\.\.?/)([\w.-]+)/(?!\.\.?/)([\w.-]+)/(?:issues|pull)/(\d+)")
_GONE = (301, 404, 410)


class Repository(msgspec.Struct, frozen=True):
    full_name: str


class _User(msgspec.Struct, frozen=True):
    login: str


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
    assignees: list[_User] = []

    def assigned_to(self, login: str) -> bool:
        return any(user.login.lower() == login.lower() for user in self.assignees)


class Gone(msgspec.Struct, frozen=True):
    """An issue that is no longer where Atom found it (deleted, or transferred away)."""

    status: int


class IssuePage(msgspec.Struct, frozen=True):
    issues: list[Issue]
    next: str | None


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


def open_assigned() -> str:
    """The first page of every open issue assigned to the member (a full listing, to reconcile with)."""
    return "api:/issues?" + urlencode({"filter": "assigned", "state": "open", "per_page": "100"})


async def open_assigned_ids(http: ServiceHttp) -> set[str]:
    found: set[str] = set()
    where: str | None = open_assigned()
    while where:
        page = await assigned_issues(http, where)
        found |= {str(issue.id) for issue in page.issues}
        where = page.next
    return found


async def read_issue(http: ServiceHttp, page_url: str | None) -> Issue | Gone | None:
    """The issue behind its page's link, Gone, or None when GitHub will not say (refused, or not an issue's link)."""
    place = _PAGE.fullmatch(page_url or "")
    if place is None:
        return None
    owner, repo, number = place.groups()
    response = await http.request("GET", f"api:/repos/{owner}/{repo}/issues/{number}", headers=_HEADERS, moved_ok=True)
    if response.status_code in _GONE:
        return Gone(status=response.status_code)
    if response.status_code == 403:  # e.g. an organisation's SSO: not an answer about the issue
        return None
    if response.status_code != 200:
        raise ServiceFailed(f"GitHub answered {response.status_code} to reading an issue")
    return _typed(_json(response), Issue)


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


def rate_limited(response: httpx.Response) -> bool | float:
    """GitHub's rate limits (the connector's `rate_limited` hook): seconds until the primary
    limit resets (a minute when the header is unreadable), True for a secondary limit."""
    if response.status_code not in (403, 429):
        return False
    headers = response.headers
    if headers.get("x-ratelimit-remaining") == "0":
        try:
            reset = float(headers.get("x-ratelimit-reset", ""))
        except ValueError:
            return 60.0
        return max(0.0, reset - time.time()) if math.isfinite(reset) else 60.0
    return "retry-after" in headers
