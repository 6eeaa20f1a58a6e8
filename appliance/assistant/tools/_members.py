"""Members named in a command ("Robin needs to…"): their ids, by user name or first name."""

from __future__ import annotations

from appliance.accounts import users
from appliance.assistant.context import ToolContext

__all__ = ["member_id"]


async def member_id(ctx: ToolContext, name: object) -> str | None:
    if not name:
        return None
    wanted = str(name).strip().lower()
    if wanted in ("me", "i", "myself"):
        return ctx.user_id
    for user in await users.list_users(ctx.services.db):
        first = user.display_name.split()[0].lower() if user.display_name else ""
        if wanted in (user.username.lower(), first, user.display_name.lower()):
            return user.id
    return None
