"""The `calendar_query` tool: say what is on the calendar for a day or the week."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.tools._organizer import day_range
from appliance.assistant.when import describe_when, parse_when
from appliance.organizer.calendar.shapes import Occurrence
from appliance.organizer.calendar.views import list_occurrences


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    said = str(args.get("when") or "today")
    week = "week" in said.lower()
    moment = ctx.now if week else (parse_when(said, ctx.now) or ctx.now)
    start, end = day_range(moment, 7 if week else 1)
    found = await list_occurrences(ctx.services.db, ctx.user_id, start, end)
    span = "this week" if week else describe_when(start, ctx.now).removesuffix(" at 00:00")
    if not found:
        return ToolReply(text=f"Nothing on the calendar {span}.", link="/calendar")
    listed = "; ".join(
        f"{o.starts.strftime('%a %H:%M') if week else o.starts.strftime('%H:%M')} {o.title}"
        if not o.all_day
        else f"all day {o.title}"
        for o in found[:8]
    )
    return ToolReply(text=f"{span.capitalize()}: {listed}.", link="/calendar")


def _line(occurrence: Occurrence, week: bool) -> str:
    day = occurrence.starts.strftime("%a ") if week else ""
    if occurrence.all_day:
        return f"{day}all day: {occurrence.title}"
    return f"{day}{occurrence.starts.strftime('%H:%M')} {occurrence.title}"
