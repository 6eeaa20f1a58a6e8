"""Who is asking: identity from the session cookie or a Bearer token, never from the URL or body.

`authenticate` is the guard on every API route. Routes marked `opt={"public": True}`
(health, login, first-run setup) skip it. A cookie-authenticated unsafe request
must carry the session's CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from appliance.accounts.secrets import digest
from appliance.accounts.sessions import resume_session
from appliance.accounts.shapes import SERVICE_PRINCIPAL, Principal
from appliance.accounts.tokens import principal_for_token
from appliance.errors import AuthenticationRequired, PermissionDenied
from appliance.runtime import Runtime
from appliance.server.origin import check_same_site_json, from_this_box

__all__ = [
    "SESSION_COOKIE",
    "CONTROL_PREFIX",
    "CSRF_HEADER",
    "authenticate",
    "admin_only",
    "service_only",
    "members_only",
    "resolve_principal",
    "recognise_member",
    "session_cookie",
    "refresh_session_cookie",
]

SESSION_COOKIE = "atom_session"
CONTROL_PREFIX = "/api/control"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REFRESHED_COOKIE = "session_cookie_refresh"  # on the connection's state: a Cookie to send back


async def resolve_principal(connection: ASGIConnection) -> Principal | None:
    """The principal behind this connection, cached on its state; None if anonymous."""
    if "principal" in connection.state:
        return connection.state.principal
    runtime: Runtime = connection.app.state.runtime
    principal = await _from_bearer(runtime, connection) or await _from_cookie(runtime, connection)
    connection.state.principal = principal
    return principal


async def recognise_member(connection: ASGIConnection) -> Principal | None:
    """The member behind the session cookie, looked up read-only (for an error page's navigation).

    The guards' own lookup (their principal cache, then the session), but it never slides the
    session, writes nothing and sets no cookie: a request no guard checked must not keep a sign-in
    alive. Nor is what it loads remembered, so the next guarded request still slides the session.
    None when anonymous or a service. Only the session counts: a guard's principal is reused only
    when it came from this very cookie, never one an API token brought.
    """
    principal = connection.state.principal if "principal" in connection.state else None
    if principal is not None and principal.via != "session":
        principal = None
    cookie = connection.cookies.get(SESSION_COOKIE)
    if principal is None and cookie:
        runtime: Runtime = connection.app.state.runtime
        principal = runtime.principals.remembered("session:" + digest(cookie))
        if principal is None:
            found = await resume_session(runtime.db, cookie, runtime.session_lifetime, slide=False)
            principal = found[0] if found else None
    return principal if isinstance(principal, Principal) and not principal.is_service else None


async def authenticate(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
        if connection.scope.get("method", "GET") not in _SAFE_METHODS:
            check_same_site_json(connection)
        return
    principal = await resolve_principal(connection)
    if principal is None:
        raise AuthenticationRequired("sign in, or send an API token as 'Authorization: Bearer …'")
    if principal.via == "session" and connection.scope["type"] == "http":
        _check_csrf(connection, principal)


async def admin_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    principal = connection.state.principal
    if not principal.is_admin or principal.is_service:
        raise PermissionDenied("only a household admin can do this")


async def members_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.state.principal.is_service:
        raise PermissionDenied("this needs a household member, not the service token")


async def service_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not connection.state.principal.is_service:
        raise PermissionDenied("only Atom's own processes (worker, CLI) may call the control API")


async def _from_bearer(runtime: Runtime, connection: ASGIConnection) -> Principal | None:
    header = connection.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    secret = secret.strip()
    if hmac.compare_digest(secret.encode(), runtime.service_token.encode()):
        _check_service_use(connection)
        return SERVICE_PRINCIPAL
    return await runtime.principals.get("token:" + digest(secret), lambda: principal_for_token(runtime.db, secret))


async def _from_cookie(runtime: Runtime, connection: ASGIConnection) -> Principal | None:
    cookie = connection.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None

    async def load() -> Principal | None:
        # A WebSocket has no response to carry a fresher cookie, so only HTTP requests slide the session.
        slide = connection.scope["type"] == "http"
        found = await resume_session(runtime.db, cookie, runtime.session_lifetime, slide)
        if found is None:
            return None
        principal, extended = found
        if extended:
            lifetime = int(runtime.session_lifetime.total_seconds())
            connection.state[_REFRESHED_COOKIE] = session_cookie(runtime, cookie, lifetime)
        return principal

    return await runtime.principals.get("session:" + digest(cookie), load)


def session_cookie(runtime: Runtime, value: str, max_age: int) -> Cookie:
    """The sign-in cookie; its Max-Age always matches the session's remaining lifetime."""
    secure = runtime.settings.auth.secure_cookies or runtime.settings.tls
    return Cookie(
        key=SESSION_COOKIE, value=value, httponly=True, samesite="lax", path="/", secure=secure, max_age=max_age
    )


async def refresh_session_cookie(message: Message, scope: Scope) -> None:
    """Before-send hook: when a request slid its session forward, the browser's cookie follows.

    Otherwise a member active every day would still lose the cookie when its first Max-Age ran
    out, while the server still held the session. A response that sets the cookie itself
    (sign-in, sign-out) wins.
    """
    cookie = scope.get("state", {}).get(_REFRESHED_COOKIE)
    if message["type"] != "http.response.start" or cookie is None:
        return
    headers = list(message.get("headers", []))
    prefix = SESSION_COOKIE.encode() + b"="
    if not any(name.lower() == b"set-cookie" and value.startswith(prefix) for name, value in headers):
        message["headers"] = [*headers, cookie.to_encoded_header()]


def _check_service_use(connection: ASGIConnection) -> None:
    """The service token opens the control API only, and only for processes on this box."""
    if not connection.scope["path"].startswith(CONTROL_PREFIX + "/") or not from_this_box(connection):
        raise PermissionDenied("the service token only opens Atom's control API, from the box itself")


def _check_csrf(connection: ASGIConnection, principal: Principal) -> None:
    if connection.scope.get("method", "GET") in _SAFE_METHODS:
        return
    sent = connection.headers.get(CSRF_HEADER, "")
    if not principal.csrf_token or not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
        raise PermissionDenied("missing or wrong CSRF token (send the X-CSRF-Token header)")
