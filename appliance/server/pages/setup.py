"""The first-run setup wizard: only while nobody lives here yet."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Redirect, Template

from appliance.server.pages.access import needs_setup
from appliance.server.pages.view import public_page

__all__ = ["routes"]


@get("/setup", include_in_schema=False, opt={"public": True})
async def setup_page(request: Request) -> Template | Redirect:
    if not await needs_setup(request):
        return Redirect("/")
    return public_page("setup.html", "Set up Atom")


routes = [setup_page]
