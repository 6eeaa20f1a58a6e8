"""First-run setup, sign-in and sign-out: the routes that start or end a session."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.accounts import sessions, users
from appliance.accounts.models import Principal, User, UserCreate
from appliance.errors import AuthenticationRequired
from appliance.events import Event
from appliance.runtime import Runtime
from appliance.server.auth import SESSION_COOKIE
from appliance.server.deps import PrincipalDep, RuntimeDep

__all__ = ["routes", "Me"]


class SetupState(msgspec.Struct, frozen=True):
    needs_setup: bool


class Login(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(max_length=64)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class Me(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    username: str
    display_name: str
    role: str
    csrf_token: str | None


@get("/api/setup", opt={"public": True}, tags=["accounts"])
async def setup_state(runtime: RuntimeDep) -> SetupState:
    return SetupState(needs_setup=await users.needs_setup(runtime.db))


@post("/api/setup", opt={"public": True}, tags=["accounts"], status_code=HTTP_201_CREATED)
async def first_run_setup(runtime: RuntimeDep, request: Request, data: JSONBody[UserCreate]) -> Response[Me]:
    """Create the household's first admin, only while no user exists, and sign them in."""
    admin = await users.create_first_admin(runtime.db, data)
    return await _signed_in(runtime, request, admin, HTTP_201_CREATED)


@post("/api/auth/login", opt={"public": True}, tags=["accounts"], status_code=HTTP_200_OK)
async def login(runtime: RuntimeDep, request: Request, data: JSONBody[Login]) -> Response[Me]:
    address = request.client.host if request.client else "unknown"
    runtime.throttle.check(data.username, address)
    user = await users.check_password(runtime.db, data.username, data.password)
    if user is None:
        runtime.throttle.failed(data.username, address)
        raise AuthenticationRequired("wrong user name or password")
    runtime.throttle.succeeded(data.username, address)
    return await _signed_in(runtime, request, user, HTTP_200_OK)


@post("/api/auth/logout", tags=["accounts"], status_code=HTTP_200_OK)
async def logout(runtime: RuntimeDep, principal: PrincipalDep) -> Response[dict[str, bool]]:
    await sessions.end_session(runtime.db, principal)
    if principal.session_id:
        runtime.bus.disconnect_session(principal.session_id)
        runtime.bus.publish(Event(topic="sessions", action="deleted", id=principal.session_id), [principal.user_id])
    gone = Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="lax", path="/")
    return Response({"signed_out": True}, cookies=[gone])


@get("/api/auth/me", tags=["accounts"])
async def me(principal: PrincipalDep) -> Me:
    return _me(principal)


async def _signed_in(runtime: Runtime, request: Request, user: User, status: int) -> Response[Me]:
    agent = request.headers.get("user-agent", "")
    cookie, principal = await sessions.start_session(runtime.db, user, agent, runtime.session_lifetime)
    session_cookie = Cookie(
        key=SESSION_COOKIE,
        value=cookie,
        httponly=True,
        samesite="lax",
        path="/",
        secure=runtime.settings.auth.secure_cookies or runtime.settings.tls,
        max_age=int(runtime.session_lifetime.total_seconds()),
    )
    runtime.bus.publish(Event(topic="sessions", action="created", id=principal.session_id or ""), [user.id])
    return Response(_me(principal), status_code=status, cookies=[session_cookie])


def _me(principal: Principal) -> Me:
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        csrf_token=principal.csrf_token,
    )


routes = [setup_state, first_run_setup, login, logout, me]
