"""Who may open a page: signed-out visitors go to sign-in, or to setup on a fresh Atom."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from appliance.accounts import users
from appliance.runtime import Runtime
from appliance.server.auth import resolve_principal

__all__ = ["SignInFirst", "signed_in_page", "redirect_to_sign_in", "safe_next", "needs_setup"]


class SignInFirst(Exception):
    """Page-only control flow: send the browser to `location` instead."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


async def signed_in_page(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard for pages; `opt={"public": True}` pages skip it. Atom's service token is not a member."""
    if handler.opt.get("public"):
        return
    principal = await resolve_principal(connection)
    if principal is not None and not principal.is_service:
        # Before the handler reads anything: the page's live channel resyncs if events came after this.
        runtime: Runtime = connection.app.state.runtime
        connection.state.live_seen = runtime.bus.seen_by(principal.user_id)
        return
    if await needs_setup(connection):
        raise SignInFirst("/setup")
    target = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
    raise SignInFirst("/login?next=" + quote(target, safe="/"))


def redirect_to_sign_in(_: Request, exc: SignInFirst) -> Redirect:
    return Redirect(exc.location, status_code=HTTP_303_SEE_OTHER)


async def needs_setup(connection: ASGIConnection) -> bool:
    runtime: Runtime = connection.app.state.runtime
    return await users.needs_setup(runtime.db)


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path on this Atom, never another site."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw
