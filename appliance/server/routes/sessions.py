"""First-run setup, sign-in and sign-out: the routes that start or end a session."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, Response, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.accounts import sessions, users
from appliance.accounts.setup_code import setup_code_matches
from appliance.accounts.shapes import DisplayName, Password, Principal, User, UserCreate, Username
from appliance.errors import Conflict, PermissionDenied
from appliance.events import Event
from appliance.runtime import Runtime
from appliance.server.auth import session_cookie
from appliance.server.deps import PrincipalDep, RuntimeDep

__all__ = ["routes", "Me", "client_address"]


class SetupState(msgspec.Struct, frozen=True):
    needs_setup: bool


class FirstAdmin(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    username: Username
    password: Password
    display_name: DisplayName | None = None
    setup_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


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
async def first_run_setup(runtime: RuntimeDep, request: Request, data: JSONBody[FirstAdmin]) -> Response[Me]:
    """Create the household's first admin, only while no user exists, and sign them in.

    Needs the one-time code `atom serve` printed, so a web page cannot set Atom up for itself.
    """
    _check_setup_code(runtime, request, data.setup_code)
    new = UserCreate(username=data.username, password=data.password, display_name=data.display_name)
    admin = await users.create_first_admin(runtime.db, new)
    runtime.setup_done()
    return await _signed_in(runtime, request, admin, HTTP_201_CREATED)


def _check_setup_code(runtime: Runtime, request: Request, given: str) -> None:
    if runtime.setup_code is None:
        raise Conflict("Atom is already set up; sign in instead")
    address = request.client.host if request.client else "unknown"
    runtime.throttle.check("setup-code", address)
    if not setup_code_matches(runtime.setup_code, given):
        runtime.throttle.failed("setup-code", address)
        raise PermissionDenied("wrong setup code: use the code `atom serve` printed when it started")


@post("/api/auth/login", opt={"public": True}, tags=["accounts"], status_code=HTTP_200_OK)
async def login(runtime: RuntimeDep, request: Request, data: JSONBody[Login]) -> Response[Me]:
    """Sign in. Names match in any case; repeated failures, or too many at once, answer 429."""
    user = await users.sign_in(runtime.db, runtime.throttle, data.username, data.password, client_address(request))
    return await _signed_in(runtime, request, user, HTTP_200_OK)


@post("/api/auth/logout", tags=["accounts"], status_code=HTTP_200_OK)
async def logout(runtime: RuntimeDep, principal: PrincipalDep) -> Response[dict[str, bool]]:
    await sessions.end_session(runtime.db, principal)
    if principal.session_id:
        runtime.bus.disconnect_credential(principal.session_id)
        runtime.bus.publish(Event(topic="sessions", action="deleted", id=principal.session_id), [principal.user_id])
    return Response({"signed_out": True}, cookies=[session_cookie(runtime, "", max_age=0)])


@get("/api/auth/me", tags=["accounts"])
async def me(principal: PrincipalDep) -> Me:
    return _me(principal)


async def _signed_in(runtime: Runtime, request: Request, user: User, status: int) -> Response[Me]:
    agent = request.headers.get("user-agent", "")
    cookie, principal = await sessions.start_session(runtime.db, user, agent, runtime.session_lifetime)
    lifetime = int(runtime.session_lifetime.total_seconds())
    runtime.bus.publish(Event(topic="sessions", action="created", id=principal.session_id or ""), [user.id])
    return Response(_me(principal), status_code=status, cookies=[session_cookie(runtime, cookie, lifetime)])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _me(principal: Principal) -> Me:
    return Me(
        id=principal.user_id,
        username=principal.username,
        display_name=principal.display_name,
        role=principal.role,
        csrf_token=principal.csrf_token,
    )


routes = [setup_state, first_run_setup, login, logout, me]
