"""The dashboard: the day at a glance, one panel per capability."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from appliance.errors import NotFound
from appliance.server.deps import RuntimeDep
from appliance.server.pages.panels import PANELS, panel_named
from appliance.server.pages.view import fragment, member_page, viewer

__all__ = ["pages", "fragments"]


@get("/", include_in_schema=False)
async def dashboard_page(request: Request, runtime: RuntimeDep) -> Template:
    me = viewer(request)
    loaded = [(panel, await panel.load(runtime, me)) for panel in PANELS]
    return member_page(request, "dashboard.html", "Home", panels=loaded)


@get("/fragments/panels/{name:str}", include_in_schema=False)
async def panel_fragment(request: Request, runtime: RuntimeDep, name: FromPath[str]) -> Template:
    panel = panel_named(name)
    if panel is None:
        raise NotFound("no such panel")
    data = await panel.load(runtime, viewer(request))
    return fragment(request, panel.template, panel=panel, data=data)


pages = [dashboard_page]
fragments = [panel_fragment]
