"""Household members: everyone sees who lives here; the admin adds, edits and removes."""

from __future__ import annotations

from litestar import delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from appliance.accounts import members, users
from appliance.accounts.shapes import User, UserCreate, UserUpdate
from appliance.server.auth import admin_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep, RuntimeDep

__all__ = ["routes"]


@get("/api/members", tags=["members"])
async def list_members(db: DatabaseDep) -> list[User]:
    return await users.list_users(db)


@get("/api/members/{user_id:str}", tags=["members"])
async def get_member(db: DatabaseDep, user_id: FromPath[str]) -> User:
    return await users.get_user(db, user_id)


@post("/api/members", tags=["members"], guards=[admin_only], status_code=HTTP_201_CREATED)
async def add_member(db: DatabaseDep, bus: BusDep, data: JSONBody[UserCreate]) -> User:
    return await members.add_member(db, bus, data)


@patch("/api/members/{user_id:str}", tags=["members"], guards=[admin_only])
async def edit_member(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, user_id: FromPath[str], data: JSONBody[UserUpdate]
) -> User:
    """Rename, change role, disable or re-enable, or set a new password.

    Disabling ends the member's sign-ins; a new password also revokes their API tokens.
    Either way their live channels close at once.
    """
    return await members.update_member(db, bus, principal, user_id, data)


@delete("/api/members/{user_id:str}", tags=["members"], guards=[admin_only])
async def remove_member(runtime: RuntimeDep, principal: PrincipalDep, user_id: FromPath[str]) -> None:
    """Remove a member and everything private to them (their notes, documents and search index too)."""
    await members.remove_member(runtime.db, runtime.bus, principal, user_id, runtime.erasers)


routes = [list_members, get_member, add_member, edit_member, remove_member]
