"""Trello's REST API (1) as Atom speaks it: the one place its JSON becomes typed values.

The key and token travel in the `Authorization: OAuth oauth_consumer_key=…, oauth_token=…`
header Trello accepts, not in the query string where logs would keep them. The member's cards
come from `GET /1/members/me/cards` in one answer (`filter=all` includes archived ones); a
card is completed by `PUT /1/cards/{id}` with `dueComplete`. A bad token answers 401 with a
plain-text body ("invalid token"); limits answer 429.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = ["Card", "me", "my_cards", "complete"]

T = TypeVar("T")
_FIELDS = "name,desc,due,dueComplete,closed,shortUrl,dateLastActivity"


class Card(msgspec.Struct, frozen=True):
    id: str
    name: str = ""
    desc: str = ""
    due: datetime | None = None
    dueComplete: bool = False  # noqa: N815 - Trello's name
    closed: bool = False
    shortUrl: str | None = None  # noqa: N815


class _Member(msgspec.Struct, frozen=True):
    username: str = ""
    fullName: str = ""  # noqa: N815


async def me(http: ServiceHttp) -> str:
    found = _typed(_json(await _ok(http, "GET", "api:/1/members/me?fields=username,fullName")), _Member)
    return found.username or found.fullName or "Trello"


async def my_cards(http: ServiceHttp) -> list[Card]:
    query = urlencode({"filter": "all", "fields": _FIELDS})
    return _typed(_json(await _ok(http, "GET", f"api:/1/members/me/cards?{query}")), list[Card])


async def complete(http: ServiceHttp, card_id: str) -> bool:
    """Mark the card complete in Trello; False when it is gone."""
    response = await http.request("PUT", f"api:/1/cards/{quote(card_id, safe='')}", json={"dueComplete": True})
    if response.status_code == 404:
        return False
    if response.status_code != 200:
        raise ServiceFailed(f"Trello answered {response.status_code} to completing a card")
    return True


async def _ok(http: ServiceHttp, method: str, where: str) -> httpx.Response:
    response = await http.request(method, where)
    if response.status_code != 200:
        raise ServiceFailed(f"Trello answered {response.status_code} ({response.text[:60]!r})")
    return response


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Trello answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Trello answered in a shape Atom does not know") from None
