"""The `date` tool: say today's date, or the weekday of a date."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    today = ctx.now
    return ToolReply(text=f"Today is {today.strftime('%A')}, {today.day} {today.strftime('%B %Y')}.")
