"""What every page template receives: who is signed in, the navigation, the CSRF token."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from appliance.accounts.shapes import Principal
from appliance.server.pages.nav import navigation_for

__all__ = ["member_page", "public_page", "fragment", "viewer"]


def viewer(request: Request) -> Principal:
    """The member the `signed_in_page` guard let through."""
    return request.state.principal


def member_page(request: Request, template: str, title: str, **values: Any) -> Template:
    me = viewer(request)
    context = {
        "me": me,
        "nav": navigation_for(me, request.url.path),
        "csrf_token": me.csrf_token or "",
        "live_seen": request.state.live_seen,
        "title": title,
        **values,
    }
    return Template(template_name=template, context=context)


def public_page(template: str, title: str, **values: Any) -> Template:
    """Setup, sign-in, offline and error pages: no member, no navigation, nothing private."""
    context = {"me": None, "nav": [], "csrf_token": "", "title": title, **values}
    return Template(template_name=template, context=context)


def fragment(request: Request, template: str, **values: Any) -> Template:
    """A piece of a page, re-fetched by the live module when its topic changes."""
    me = viewer(request)
    return Template(template_name=template, context={"me": me, "csrf_token": me.csrf_token or "", **values})
