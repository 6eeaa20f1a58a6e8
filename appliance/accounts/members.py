"""Changing who lives here, and telling the house: the one place a member is added, changed or removed.

The members API, the control API and the CLI all call these, so a change always comes with its
side effects: every open page hears of it, and a member who loses access (disabled, removed, or
given a new password) has their live channels closed at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from appliance.accounts import users
from appliance.accounts.shapes import Principal, User, UserCreate, UserUpdate
from appliance.errors import InvalidInput
from appliance.events import EVERYONE, Event, EventBus
from appliance.storage import Database

__all__ = ["add_member", "update_member", "rename_self", "disable_member", "remove_member", "Eraser"]

Eraser = Callable[[str], Awaitable[object]]  # erases a removed member's data kept outside the database


async def add_member(db: Database, bus: EventBus, new: UserCreate) -> User:
    user = await users.add_user(db, new)
    bus.publish(Event(topic="members", action="created", id=user.id, data=user), [EVERYONE])
    return user


async def update_member(db: Database, bus: EventBus, actor: Principal, user_id: str, change: UserUpdate) -> User:
    """Rename, change role, disable or re-enable, or set a new password.

    Disabling ends the member's sign-ins; a new password also revokes their API tokens.
    Either way their live channels close at once.
    """
    user = await users.update_user(db, actor, user_id, change)
    if user.disabled or change.password is not None:
        bus.disconnect(user.id)
    bus.publish(Event(topic="members", action="updated", id=user.id, data=user), [EVERYONE])
    return user


async def rename_self(db: Database, bus: EventBus, me: Principal, display_name: str) -> User:
    """A member's own display name, the one thing about their account row they change themselves."""
    if not display_name.strip():
        raise InvalidInput("the name cannot be blank")
    return await update_member(db, bus, me, me.user_id, UserUpdate(display_name=" ".join(display_name.split())))


async def disable_member(db: Database, bus: EventBus, actor: Principal, username: str) -> User:
    found = await users.find_user(db, username)
    return await update_member(db, bus, actor, found.id, UserUpdate(disabled=True))


async def remove_member(
    db: Database, bus: EventBus, actor: Principal, user_id: str, erasers: Sequence[Eraser] = ()
) -> User:
    """Remove a member and everything private to them: their rows here, then what `erasers` keep elsewhere."""
    user = await users.remove_user(db, actor, user_id)
    for erase in erasers:
        await erase(user.id)
    bus.disconnect(user.id)
    bus.publish(Event(topic="members", action="deleted", id=user.id), [EVERYONE])
    return user
