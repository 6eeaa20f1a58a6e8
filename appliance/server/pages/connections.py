"""Connections: each service with its state, last sync and what to do about an error; connect,
sync now, disconnect. The list is a live region on the `connections` topic; signing in (the
device code, the PKCE link and paste box) is the page module's (`web/static/js/pages/connections.js`)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from appliance.connectors import connectors, list_connections
from appliance.server.deps import DatabaseDep
from appliance.server.pages.view import fragment, member_page, viewer

__all__ = ["pages", "fragments"]


@get("/connections", include_in_schema=False)
async def connections_page(request: Request, db: DatabaseDep) -> Template:
    return member_page(request, "connections.html", "Connections", **await _services(db, viewer(request).user_id))


@get("/fragments/connections/list", include_in_schema=False)
async def connections_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/connections_list.html", **await _services(db, viewer(request).user_id))


async def _services(db: DatabaseDep, member: str) -> dict[str, Any]:
    """Every connector, with the member's connection to it (or none)."""
    mine = {connection.connector: connection for connection in await list_connections(db, member)}
    return {"services": [(service, mine.get(service.name)) for service in connectors()]}


pages = [connections_page]
fragments = [connections_fragment]
