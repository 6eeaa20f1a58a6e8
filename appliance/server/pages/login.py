"""The sign-in page."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appliance.server.auth import resolve_principal
from appliance.server.pages.access import needs_setup, safe_next
from appliance.server.pages.view import public_page

__all__ = ["routes"]


@get("/login", include_in_schema=False, opt={"public": True})
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:  # noqa: A002
    if await needs_setup(request):
        return Redirect("/setup")
    if await resolve_principal(request) is not None:
        return Redirect(safe_next(next))
    return public_page("login.html", "Sign in", next=safe_next(next))


routes = [login_page]
