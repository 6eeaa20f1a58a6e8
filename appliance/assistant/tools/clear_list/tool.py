"""The `clear_list` tool: remove everything from a list."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_list, tell
from appliance.organizer.lists.lists import clear_items


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    todo = await find_list(ctx, args.get("list"))
    if todo is None:
        return ToolReply(text=f"There is no list called {args.get('list')}.")
    services = ctx.services
    cleared = await clear_items(services.db, services.knowledge, ctx.user_id, todo.id, done_only=False)
    tell(ctx, "lists", "updated", todo.id, todo.owner_id)
    return ToolReply(text=f"Cleared {todo.name} ({cleared.removed} items).", link=f"/tasks#list-{todo.id}")


async def describe(ctx: ToolContext, args: dict[str, Any]) -> str:
    return f"clear everything from {args.get('list') or 'the shopping list'}"
