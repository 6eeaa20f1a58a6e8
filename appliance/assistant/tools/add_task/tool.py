"""The `add_task` tool: add a task (a to-do), optionally due at a time and assigned to a member."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._members import member_id
from appliance.assistant.tools._organizer import tell
from appliance.assistant.when import describe_when, parse_when, split_when
from appliance.organizer.tasks.shapes import TaskCreate
from appliance.organizer.tasks.tasks import create_task


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    title, due = str(args["task"]), parse_when(str(args["when"]), ctx.now) if args.get("when") else None
    if due is None:
        title, due = split_when(title, ctx.now)  # "water the plants tomorrow"
    assignee = await member_id(ctx, args.get("member"))
    new = TaskCreate(
        title=title[:200],
        due_date=due.date() if due else None,
        due_time=due.time().replace(tzinfo=None) if due else None,
        priority=args.get("priority", "normal"),
        assignee_id=assignee,
    )
    services = ctx.services
    task = await create_task(services.db, services.knowledge, ctx.user_id, new)
    tell(ctx, "tasks", "created", task.id, task.owner_id)
    when = f" for {describe_when(due, ctx.now)}" if due else ""
    return ToolReply(text=f"Added the task {task.title}{when}.", link=f"/tasks#task-{task.id}", data={"id": task.id})
