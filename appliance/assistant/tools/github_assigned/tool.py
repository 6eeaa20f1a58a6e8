"""The `github_assigned` tool: the open GitHub issues assigned to the member, as last synced."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.connectors import list_connections, open_items

_CONNECTOR = "github"


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    mine = [c for c in await list_connections(ctx.services.db, ctx.user_id) if c.connector == _CONNECTOR]
    if not mine:
        return ToolReply(
            text="You have not connected GitHub yet: connect it on the Connections page.", link="/connections"
        )
    connection = mine[0]
    items = await open_items(ctx.services.db, ctx.user_id, connection.id)
    stale = "" if connection.state == "connected" else " (GitHub needs your attention on the Connections page)"
    if not items:
        return ToolReply(text=f"Nothing is assigned to you on GitHub{stale}.", link="/tasks")
    listed = "; ".join(item.title for item in items[:5])
    more = f", and {len(items) - 5} more" if len(items) > 5 else ""
    return ToolReply(text=f"{len(items)} assigned to you on GitHub: {listed}{more}{stale}.", link="/tasks")
