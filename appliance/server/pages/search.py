"""Search: one box over everything the member may read, results as they type, and Ask.

The page is a shell: `web/static/js/pages/search.js` calls `GET /api/search` (debounced, stale
requests aborted) and `POST /api/ask`, and searches again when a note or document changes.
`/search?q=…` opens with the box filled (the dashboard's search box sends it here).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from appliance.server.pages.view import member_page

__all__ = ["pages", "fragments"]


@get("/search", include_in_schema=False)
async def search_page(request: Request, q: Annotated[str, Parameter(max_length=500)] = "") -> Template:
    return member_page(request, "search.html", "Search", q=q)


pages = [search_page]
fragments: list[object] = []
