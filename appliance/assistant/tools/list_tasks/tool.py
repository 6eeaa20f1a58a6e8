"""The `list_tasks` tool: read out the member's tasks for today (or someone's)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._members import member_id
from appliance.organizer.tasks.tasks import today_tasks


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    who = await member_id(ctx, args.get("member")) or ctx.user_id
    tasks = await today_tasks(ctx.services.db, ctx.user_id, who)
    if not tasks:
        return ToolReply(text="Nothing is due today.", link="/tasks")
    listed = "; ".join(f"{t.title} ({t.why})" if t.why else t.title for t in tasks[:5])
    return ToolReply(text=f"{len(tasks)} to do: {listed}.", link="/tasks")
