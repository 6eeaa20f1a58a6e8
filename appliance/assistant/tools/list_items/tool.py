"""The `list_items` tool: read out what is on a list."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_list
from appliance.organizer.lists.lists import list_items


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    todo = await find_list(ctx, args.get("list"))
    if todo is None:
        return ToolReply(text=f"There is no list called {args.get('list')}.")
    items = [i for i in await list_items(ctx.services.db, ctx.user_id, todo.id) if not i.done]
    if not items:
        return ToolReply(text=f"{todo.name} is empty.", link=f"/tasks#list-{todo.id}")
    return ToolReply(text=f"{todo.name}: {', '.join(i.text for i in items)}.", link=f"/tasks#list-{todo.id}")
