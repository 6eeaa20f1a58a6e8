"""The `calendar_create` tool: put an event on the calendar."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import tell
from appliance.assistant.when import describe_when, parse_when, split_when
from appliance.organizer.calendar.events import create_event
from appliance.organizer.calendar.shapes import EventCreate


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    title, starts = str(args["event"]), parse_when(str(args["when"]), ctx.now) if args.get("when") else None
    if starts is None:
        title, starts = split_when(title, ctx.now)  # "schedule the dentist on friday at 10"
    if starts is None:
        return ToolReply(text=f"When is {title}?")
    services = ctx.services
    new = EventCreate(title=title[:200], starts=starts.replace(tzinfo=None), tz=str(ctx.zone))
    event = await create_event(services.db, services.knowledge, ctx.user_id, new)
    tell(ctx, "calendar", "created", event.id, None)
    return ToolReply(
        text=f"Added {event.title} {describe_when(starts, ctx.now)}.", link="/calendar", data={"id": event.id}
    )
