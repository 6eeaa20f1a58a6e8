"""The `calendar_query` tool: say what is on the calendar for a day or the week."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import day_range
from appliance.assistant.when import describe_when, span_of
from appliance.organizer.calendar.shapes import Occurrence
from appliance.organizer.calendar.views import list_occurrences


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    first, days, label = span_of(str(args.get("when") or "today"), ctx.now)
    start, end = day_range(datetime.combine(first, time(0), tzinfo=ctx.now.tzinfo), days)
    found = await list_occurrences(ctx.services.db, ctx.user_id, start, end)
    span = label or describe_when(start, ctx.now).removesuffix(" at 00:00")
    if not found:
        return ToolReply(text=f"Nothing on the calendar {span}.", link="/calendar")
    listed = "; ".join(_line(o, days > 1) for o in found[:8])
    return ToolReply(text=f"{span[:1].upper()}{span[1:]}: {listed}.", link="/calendar")


def _line(occurrence: Occurrence, several_days: bool) -> str:
    day = occurrence.starts.strftime("%a ") if several_days else ""
    if occurrence.all_day:
        return f"{day}all day {occurrence.title}"
    return f"{day}{occurrence.starts.strftime('%H:%M')} {occurrence.title}"
