"""Household members: first-run setup, the admin's member management, sign-in checks.

Every password hash runs on the bounded pool (hashing.py); every password check is one
reserved attempt of the login throttle. User names arrive canonical (UserCreate folds
them) and are folded again before any look-up.
"""

from __future__ import annotations

import uuid

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.hashing import hash_in_pool, verify_in_pool
from appliance.accounts.names import canonical_username
from appliance.accounts.shapes import Principal, User, UserCreate, UserUpdate
from appliance.accounts.throttle import LoginThrottle
from appliance.errors import AuthenticationRequired, Conflict, InvalidInput, NotFound, PermissionDenied
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
    "sign_in",
    "change_password",
]


async def needs_setup(db: Database) -> bool:
    return await db.read(queries.count_users) == 0


async def create_first_admin(db: Database, new: UserCreate) -> User:
    """First-run setup: only while no user exists."""
    password_hash = await hash_in_pool(new.password)
    return await db.write(_insert_first_admin, new, password_hash)


async def add_user(db: Database, new: UserCreate) -> User:
    password_hash = await hash_in_pool(new.password)
    return await db.write(_insert_user, new, password_hash)


async def list_users(db: Database) -> list[User]:
    return await db.read(queries.all_users)


async def get_user(db: Database, user_id: str) -> User:
    user = await db.read(queries.user_by_id, user_id)
    if user is None:
        raise NotFound("no such member")
    return user


async def find_user(db: Database, username: str) -> User:
    user = await db.read(queries.user_by_name, canonical_username(username))
    if user is None:
        raise NotFound(f"no member named {username!r}")
    return user


async def update_user(db: Database, actor: Principal, user_id: str, change: UserUpdate) -> User:
    password_hash = None
    if change.password is not None:
        password_hash = await hash_in_pool(change.password)
    return await db.write(_apply_update, actor, user_id, change, password_hash)


async def remove_user(db: Database, actor: Principal, user_id: str) -> User:
    return await db.write(_delete_user, actor, user_id)


async def check_password(db: Database, username: str, password: str) -> User | None:
    """The active member with these credentials, or None."""
    found = await db.read(queries.credentials_by_name, canonical_username(username))
    if found is None:
        await hash_in_pool(password)  # same cost either way
        return None
    user, stored = found
    ok = await verify_in_pool(password, stored)
    return user if ok and not user.disabled else None


async def sign_in(db: Database, throttle: LoginThrottle, username: str, password: str, address: str) -> User:
    """The member signing in from `address`; AuthenticationRequired if the credentials are wrong."""
    user = await throttle.guard(username, address, lambda: check_password(db, username, password))
    if user is None:
        raise AuthenticationRequired("wrong user name or password")
    return user


async def change_password(
    db: Database, throttle: LoginThrottle, actor: Principal, address: str, current: str, new: str
) -> list[str]:
    """Set my password, if `current` is right; my other sign-ins end. Returns their ids."""
    if new == current:  # both typed by the caller: saying so reveals nothing, and saves a hash
        raise InvalidInput("the new password must be different from the current one")
    if not await throttle.guard(actor.username, address, lambda: _password_is(db, actor.user_id, current)):
        raise InvalidInput("the current password is not right")
    new_hash = await hash_in_pool(new)
    return await db.write(_set_password, actor, new_hash)


async def _password_is(db: Database, user_id: str, password: str) -> bool | None:
    stored = await db.read(queries.password_hash, user_id)
    return True if stored is not None and await verify_in_pool(password, stored) else None


def _set_password(conn: Writer, actor: Principal, new_hash: str) -> list[str]:
    queries.set_password(conn, actor.user_id, new_hash)
    return queries.delete_other_sessions(conn, actor.user_id, keep=actor.session_id)


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
    if password_hash is not None:  # a reset: whoever held the old password may have made tokens
        queries.delete_tokens_of(conn, user_id)
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
