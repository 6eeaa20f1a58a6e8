"""Notion's API (version 2022-06-28) as Atom reads it: the one place its JSON becomes typed values.

`POST /v1/search` lists the pages shared with the integration, newest edit first, paged by
`start_cursor`/`next_cursor`; `GET /v1/blocks/{id}/children` pages a page's blocks the same way
(a block with `has_children` has its own children). Errors come as
`{"object": "error", "status": …, "code": …, "message": …}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from appliance.connectors.http import ServiceHttp
from appliance.errors import ServiceFailed

__all__ = [
    "PageGone",
    "Page",
    "PageList",
    "Block",
    "BlockList",
    "who",
    "search_pages",
    "block_children",
    "title_of",
    "text_of",
]

T = TypeVar("T")
_HEADERS = {"Notion-Version": "2022-06-28"}


class PageGone(Exception):
    """404: the page was deleted or is no longer shared with the integration."""


class Page(msgspec.Struct, frozen=True):
    id: str
    last_edited_time: datetime
    url: str = ""
    archived: bool = False
    in_trash: bool = False
    properties: dict[str, Any] = {}


class PageList(msgspec.Struct, frozen=True):
    results: list[Page] = []
    next_cursor: str | None = None
    has_more: bool = False


class Block(msgspec.Struct, frozen=True):
    id: str
    type: str = ""
    has_children: bool = False
    body: dict[str, Any] = {}  # the block's own object, named by its type (filled in by block_children)


class BlockList(msgspec.Struct, frozen=True):
    results: list[dict[str, Any]] = []
    next_cursor: str | None = None
    has_more: bool = False


class _Bot(msgspec.Struct, frozen=True):
    workspace_name: str | None = None


class _Me(msgspec.Struct, frozen=True):
    name: str | None = None
    bot: _Bot | None = None


async def who(http: ServiceHttp) -> str:
    me = _typed(_json(await _send(http, "GET", "api:/v1/users/me")), _Me)
    return (me.bot.workspace_name if me.bot else None) or me.name or "Notion"


async def search_pages(http: ServiceHttp, start_cursor: str | None) -> PageList:
    body: dict[str, Any] = {
        "filter": {"property": "object", "value": "page"},
        "sort": {"direction": "descending", "timestamp": "last_edited_time"},
        "page_size": 100,
    }
    body |= {"start_cursor": start_cursor} if start_cursor else {}
    return _typed(_json(await _send(http, "POST", "api:/v1/search", json=body)), PageList)


async def block_children(http: ServiceHttp, block_id: str, start_cursor: str | None) -> tuple[list[Block], str | None]:
    """One page of a block's children, and the cursor of the next (None at the end)."""
    query = {"page_size": "100"} | ({"start_cursor": start_cursor} if start_cursor else {})
    where = f"api:/v1/blocks/{quote(block_id, safe='')}/children?{urlencode(query)}"
    response = await http.request("GET", where, headers=_HEADERS)
    if response.status_code == 404:
        raise PageGone
    found = _typed(_json(_ok(response)), BlockList)
    blocks = [_block(raw) for raw in found.results]
    return blocks, found.next_cursor if found.has_more else None


def title_of(page: Page) -> str:
    """The page's title property, whatever a database named it."""
    for prop in page.properties.values():
        if isinstance(prop, dict) and prop.get("type") == "title":
            return _plain(prop.get("title"))
    return ""


def text_of(block: Block) -> str:
    """A block's own text: rich text, a to-do's box, a child page's title, a caption."""
    body = block.body
    text = _plain(body.get("rich_text")) or str(body.get("title") or "") or _plain(body.get("caption"))
    if block.type == "to_do":
        return ("[x] " if body.get("checked") else "[ ] ") + text
    return text


def _block(raw: dict[str, Any]) -> Block:
    kind = str(raw.get("type") or "")
    body = raw.get(kind)
    return Block(
        id=str(raw.get("id") or ""),
        type=kind,
        has_children=bool(raw.get("has_children")),
        body=body if isinstance(body, dict) else {},
    )


def _plain(rich: object) -> str:
    if not isinstance(rich, list):
        return ""
    return "".join(str(part.get("plain_text") or "") for part in rich if isinstance(part, dict))


async def _send(http: ServiceHttp, method: str, where: str, **kwargs: Any) -> httpx.Response:
    return _ok(await http.request(method, where, headers=_HEADERS, **kwargs))


def _ok(response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise ServiceFailed(f"Notion answered {response.status_code} ({_code(response)})")
    return response


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", "error"))[:60]
    except (ValueError, AttributeError):
        return "error"


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        raise ServiceFailed("Notion answered with something that is not JSON") from None


def _typed(body: object, kind: type[T]) -> T:
    try:
        return msgspec.convert(body, kind, strict=False)
    except msgspec.ValidationError:
        raise ServiceFailed("Notion answered in a shape Atom does not know") from None
