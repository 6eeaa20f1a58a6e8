"""The household's own words for the matcher's slots: who lives here, what the lists are called."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from appliance.accounts import users
from appliance.assistant.context import ToolContext
from appliance.organizer.lists.lists import list_lists

__all__ = ["household_words"]


async def household_words(ctx: ToolContext) -> Mapping[str, Sequence[str]]:
    db = ctx.services.db
    members = [u for u in await users.list_users(db) if not u.disabled]
    names = {u.username.lower() for u in members} | {
        u.display_name.split()[0].lower() for u in members if u.display_name
    }
    lists = {todo.name.lower() for todo in await list_lists(db, ctx.user_id)}
    return {"member": sorted(names), "list": sorted(lists)}
