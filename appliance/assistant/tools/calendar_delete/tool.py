"""The `calendar_delete` tool: remove an event from the calendar."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_occurrence, tell
from appliance.organizer.calendar.events import delete_event


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    found = await find_occurrence(ctx, str(args["event"]))
    if found is None:
        return ToolReply(text=f"I couldn't find {args['event']} on the calendar.", link="/calendar")
    services = ctx.services
    event = await delete_event(services.db, services.knowledge, ctx.user_id, found.event_id)
    tell(ctx, "calendar", "deleted", event.id, None)
    return ToolReply(text=f"Removed {event.title} from the calendar.", link="/calendar")


async def describe(ctx: ToolContext, args: dict[str, Any]) -> str:
    found = await find_occurrence(ctx, str(args["event"]))
    return f"delete {found.title} on {found.starts.strftime('%A %d %B')}" if found else f"delete {args['event']}"
