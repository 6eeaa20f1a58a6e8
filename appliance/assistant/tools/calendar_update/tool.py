"""The `calendar_update` tool: move an event to another time."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import find_occurrence, tell
from appliance.assistant.when import describe_when, parse_when
from appliance.organizer.calendar.events import update_event
from appliance.organizer.calendar.shapes import EventUpdate


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    found = await find_occurrence(ctx, str(args["event"]))
    starts = parse_when(str(args["when"]), ctx.now)
    if found is None or starts is None:
        return ToolReply(text=f"I couldn't find {args['event']} or understand {args['when']}.", link="/calendar")
    services = ctx.services
    length = found.ends - found.starts
    change = EventUpdate(starts=starts.replace(tzinfo=None), ends=(starts + length).replace(tzinfo=None))
    event = await update_event(services.db, services.knowledge, ctx.user_id, found.event_id, change)
    tell(ctx, "calendar", "updated", event.id, None)
    return ToolReply(text=f"Moved {event.title}: it is now {describe_when(starts, ctx.now)}.", link="/calendar")
