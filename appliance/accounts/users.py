"""Household members: first-run setup, the admin's member management, sign-in checks."""

from __future__ import annotations

import asyncio
import uuid

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.models import Principal, User, UserCreate, UserUpdate
from appliance.accounts.passwords import hash_password, verify_password
from appliance.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from appliance.storage import Database, Writer

__all__ = [
    "needs_setup",
    "create_first_admin",
    "add_user",
    "list_users",
    "get_user",
    "find_user",
    "update_user",
    "remove_user",
    "check_password",
    "change_password",
]


async def needs_setup(db: Database) -> bool:
    return await db.read(queries.count_users) == 0


async def create_first_admin(db: Database, new: UserCreate) -> User:
    """First-run setup: only while no user exists."""
    password_hash = await asyncio.to_thread(hash_password, new.password)
    return await db.write(_insert_first_admin, new, password_hash)


async def add_user(db: Database, new: UserCreate) -> User:
    password_hash = await asyncio.to_thread(hash_password, new.password)
    return await db.write(_insert_user, new, password_hash)


async def list_users(db: Database) -> list[User]:
    return await db.read(queries.all_users)


async def get_user(db: Database, user_id: str) -> User:
    user = await db.read(queries.user_by_id, user_id)
    if user is None:
        raise NotFound("no such member")
    return user


async def find_user(db: Database, username: str) -> User:
    user = await db.read(queries.user_by_name, username)
    if user is None:
        raise NotFound(f"no member named {username!r}")
    return user


async def update_user(db: Database, actor: Principal, user_id: str, change: UserUpdate) -> User:
    password_hash = None
    if change.password is not None:
        password_hash = await asyncio.to_thread(hash_password, change.password)
    return await db.write(_apply_update, actor, user_id, change, password_hash)


async def remove_user(db: Database, actor: Principal, user_id: str) -> User:
    return await db.write(_delete_user, actor, user_id)


async def check_password(db: Database, username: str, password: str) -> User | None:
    """The active member with these credentials, or None."""
    found = await db.read(queries.credentials_by_name, username)
    if found is None:
        await asyncio.to_thread(hash_password, password)  # same cost either way
        return None
    user, stored = found
    ok = await asyncio.to_thread(verify_password, password, stored)
    return user if ok and not user.disabled else None


async def change_password(db: Database, actor: Principal, current: str, new: str) -> None:
    stored = await db.read(queries.password_hash, actor.user_id)
    if stored is None or not await asyncio.to_thread(verify_password, current, stored):
        raise InvalidInput("the current password is not right")
    new_hash = await asyncio.to_thread(hash_password, new)
    await db.write(queries.set_password, actor.user_id, new_hash)


def _insert_first_admin(conn: Writer, new: UserCreate, password_hash: str) -> User:
    if queries.count_users(conn) > 0:
        raise Conflict("Atom is already set up; sign in instead")
    admin = UserCreate(username=new.username, password=new.password, display_name=new.display_name, role="admin")
    return _insert_user(conn, admin, password_hash)


def _insert_user(conn: Writer, new: UserCreate, password_hash: str) -> User:
    if queries.user_by_name(conn, new.username) is not None:
        raise Conflict(f"the name {new.username!r} is taken")
    stamp = clock.now()
    user = User(
        id=uuid.uuid4().hex,
        username=new.username,
        display_name=new.display_name or new.username,
        role=new.role,
        disabled=False,
        created_at=stamp,
    )
    queries.insert_user(conn, user, password_hash)
    return user


def _apply_update(conn: Writer, actor: Principal, user_id: str, change: UserUpdate, password_hash: str | None) -> User:
    user = queries.user_by_id(conn, user_id)
    if user is None:
        raise NotFound("no such member")
    demoting = change.role == "member" or change.disabled is True
    if user.role == "admin" and demoting:
        _keep_an_admin(conn, user_id)
    if user_id == actor.user_id and (change.disabled or change.role == "member"):
        raise PermissionDenied("you cannot disable or demote yourself")
    queries.update_user(conn, user_id, change, password_hash)
    if change.disabled or password_hash is not None:
        queries.delete_sessions_of(conn, user_id)
    updated = queries.user_by_id(conn, user_id)
    assert updated is not None
    return updated


def _delete_user(conn: Writer, actor: Principal, user_id: str) -> User:
    user = queries.user_by_id(conn, user_id)
    if user is None:
        raise NotFound("no such member")
    if user_id == actor.user_id:
        raise PermissionDenied("you cannot remove yourself")
    if user.role == "admin":
        _keep_an_admin(conn, user_id)
    queries.delete_user_everywhere(conn, user_id)
    return user


def _keep_an_admin(conn: Writer, leaving_id: str) -> None:
    if queries.count_active_admins(conn, excluding=leaving_id) == 0:
        raise Conflict("the household needs at least one active admin")
