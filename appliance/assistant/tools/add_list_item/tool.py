"""The `add_list_item` tool: add an item to a list (Shopping when no list is named)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_list, tell
from appliance.organizer.lists.lists import add_item
from appliance.organizer.lists.shapes import ItemCreate


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    named = args.get("list") or args.get("list_name")
    todo = await find_list(ctx, named)
    if todo is None:
        return ToolReply(text=f"There is no list called {named}. You can make it on the Tasks page.", link="/tasks")
    services = ctx.services
    item = await add_item(services.db, services.knowledge, ctx.user_id, todo.id, ItemCreate(text=str(args["item"])))
    tell(ctx, "lists", "updated", todo.id, todo.owner_id)
    return ToolReply(
        text=f"Added {item.text} to {todo.name}.", link=f"/tasks#list-{todo.id}", data={"list_id": todo.id}
    )
