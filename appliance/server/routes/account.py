"""My account: my name, password, sign-ins on other devices, personal API tokens."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from appliance.accounts import members, sessions, tokens, users
from appliance.accounts.shapes import ApiToken, ApiTokenCreate, DisplayName, NewApiToken, SessionInfo, User
from appliance.events import Event
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep, RuntimeDep
from appliance.server.routes.sessions import client_address

__all__ = ["routes"]


class PasswordChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]


class AccountUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    display_name: DisplayName


@patch("/api/account", tags=["account"], guards=[members_only])
async def rename_me(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[AccountUpdate]) -> User:
    """Change my own display name (the user name I sign in with stays: an admin manages accounts)."""
    return await members.rename_self(db, bus, principal, data.display_name)


@post("/api/account/password", tags=["account"], status_code=HTTP_204_NO_CONTENT, guards=[members_only])
async def change_password(
    runtime: RuntimeDep, request: Request, principal: PrincipalDep, data: JSONBody[PasswordChange]
) -> None:
    """Change my password; sign-ins on other devices end. Wrong guesses count like failed sign-ins."""
    address = client_address(request)
    current, new = data.current_password, data.new_password
    ended = await users.change_password(runtime.db, runtime.throttle, principal, address, current, new)
    for session_id in ended:
        runtime.bus.disconnect_credential(session_id)
        runtime.bus.publish(Event(topic="sessions", action="deleted", id=session_id), [principal.user_id])


@get("/api/account/sessions", tags=["account"], guards=[members_only])
async def my_sessions(db: DatabaseDep, principal: PrincipalDep) -> list[SessionInfo]:
    return await sessions.list_sessions(db, principal)


@delete("/api/account/sessions/{session_id:str}", tags=["account"], guards=[members_only])
async def end_my_session(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, session_id: FromPath[str]) -> None:
    await sessions.revoke_session(db, principal, session_id)
    bus.disconnect_credential(session_id)
    bus.publish(Event(topic="sessions", action="deleted", id=session_id), [principal.user_id])


@get("/api/tokens", tags=["account"], guards=[members_only])
async def my_tokens(db: DatabaseDep, principal: PrincipalDep) -> list[ApiToken]:
    return await tokens.list_tokens(db, principal.user_id)


@post("/api/tokens", tags=["account"], status_code=HTTP_201_CREATED, guards=[members_only])
async def new_token(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[ApiTokenCreate]
) -> NewApiToken:
    """Create a personal API token. The secret is in this response and never again."""
    created = await tokens.create_token(db, principal.user_id, data.name)
    bus.publish(Event(topic="tokens", action="created", id=created.token.id, data=created.token), [principal.user_id])
    return created


@get("/api/tokens/{token_id:str}", tags=["account"], guards=[members_only])
async def one_token(db: DatabaseDep, principal: PrincipalDep, token_id: FromPath[str]) -> ApiToken:
    return await tokens.get_token(db, principal.user_id, token_id)


@delete("/api/tokens/{token_id:str}", tags=["account"], guards=[members_only])
async def revoke_token(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, token_id: FromPath[str]) -> None:
    await tokens.revoke_token(db, principal.user_id, token_id)
    bus.disconnect_credential(token_id)
    bus.publish(Event(topic="tokens", action="deleted", id=token_id), [principal.user_id])


routes = [rename_me, change_password, my_sessions, end_my_session, my_tokens, new_token, one_token, revoke_token]
