"""The `set_reminder` tool: remind the member of something at a time (it fires even after a restart)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import tell
from appliance.assistant.when import describe_when, parse_when, split_when
from appliance.organizer.reminders.reminders import create_reminder
from appliance.organizer.reminders.shapes import ReminderCreate


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    what, at = str(args["text"]), parse_when(str(args["when"]), ctx.now) if args.get("when") else None
    if at is None:
        what, at = split_when(what, ctx.now)  # "call the plumber tomorrow at 9"
    if at is None:
        return ToolReply(text=f"When should I remind you to {what}?")
    new = ReminderCreate(title=what[:200], at=at)
    await create_reminder(ctx.services.db, ctx.user_id, new)
    tell(ctx, "reminders", "created", ctx.user_id, ctx.user_id)
    return ToolReply(text=f"I'll remind you to {what} {describe_when(at, ctx.now)}.", link="/tasks")
