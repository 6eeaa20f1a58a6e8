"""The `complete_task` tool: mark a task done (a repeating one moves to its next date)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_task, tell
from appliance.connectors import push_change
from appliance.organizer.tasks.tasks import complete_task


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    task = await find_task(ctx, str(args["task"]))
    if task is None:
        return ToolReply(text=f"I can't find an open task like {args['task']}.", link="/tasks")
    services = ctx.services
    done = await complete_task(services.db, services.knowledge, ctx.user_id, task.id)
    tell(ctx, "tasks", "updated", done.id, done.owner_id)
    hub = services.extras.get("connectors")
    if hub is not None and done.source == "connector":
        await push_change(hub, done.id)  # closed at its service at once
    rolled = done.completed_at is None  # a repeating task rolled to its next date
    text = f"Done: {done.title}." + (" It comes back next time." if rolled else "")
    return ToolReply(text=text, link=f"/tasks#task-{done.id}")
