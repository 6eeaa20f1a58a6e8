"""The `remove_list_item` tool: remove an item from a list."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_list, tell
from appliance.organizer.lists.lists import list_items, remove_item


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    todo = await find_list(ctx, args.get("list"))
    if todo is None:
        return ToolReply(text=f"There is no list called {args.get('list')}.")
    services = ctx.services
    items = await list_items(services.db, ctx.user_id, todo.id)
    wanted = str(args["item"]).lower()
    found = next((i for i in items if i.text.lower() == wanted), None) or next(
        (i for i in items if wanted in i.text.lower()), None
    )
    if found is None:
        return ToolReply(text=f"{args['item']} is not on {todo.name}.", link=f"/tasks#list-{todo.id}")
    await remove_item(services.db, services.knowledge, ctx.user_id, todo.id, found.id)
    tell(ctx, "lists", "updated", todo.id, todo.owner_id)
    return ToolReply(text=f"Removed {found.text} from {todo.name}.", link=f"/tasks#list-{todo.id}")


async def describe(ctx: ToolContext, args: dict[str, Any]) -> str:
    return f"remove {args['item']} from {args.get('list') or 'the shopping list'}"
