"""Who is asking: identity from the session cookie or a Bearer token, never from the URL or body.

`authenticate` is the guard on every API route. Routes marked `opt={"public": True}`
(health, login, first-run setup) skip it. A cookie-authenticated unsafe request
must carry the session's CSRF token in `X-CSRF-Token`.
"""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from appliance.accounts.models import SERVICE_PRINCIPAL, Principal
from appliance.accounts.secrets import digest
from appliance.accounts.sessions import principal_for_session
from appliance.accounts.tokens import principal_for_token
from appliance.errors import AuthenticationRequired, PermissionDenied
from appliance.runtime import Runtime

__all__ = [
    "SESSION_COOKIE",
    "CSRF_HEADER",
    "authenticate",
    "admin_only",
    "service_only",
    "members_only",
    "resolve_principal",
]

SESSION_COOKIE = "atom_session"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def resolve_principal(connection: ASGIConnection) -> Principal | None:
    """The principal behind this connection, cached on its state; None if anonymous."""
    if "principal" in connection.state:
        return connection.state.principal
    runtime: Runtime = connection.app.state.runtime
    principal = await _from_bearer(runtime, connection) or await _from_cookie(runtime, connection)
    connection.state.principal = principal
    return principal


async def authenticate(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    if handler.opt.get("public"):
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
        return SERVICE_PRINCIPAL
    return await runtime.principals.get("token:" + digest(secret), lambda: principal_for_token(runtime.db, secret))


async def _from_cookie(runtime: Runtime, connection: ASGIConnection) -> Principal | None:
    cookie = connection.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    load = lambda: principal_for_session(runtime.db, cookie, runtime.session_lifetime)  # noqa: E731
    return await runtime.principals.get("session:" + digest(cookie), load)


def _check_csrf(connection: ASGIConnection, principal: Principal) -> None:
    if connection.scope.get("method", "GET") in _SAFE_METHODS:
        return
    sent = connection.headers.get(CSRF_HEADER, "")
    if not principal.csrf_token or not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
        raise PermissionDenied("missing or wrong CSRF token (send the X-CSRF-Token header)")
