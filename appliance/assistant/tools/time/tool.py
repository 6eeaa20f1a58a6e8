"""The `time` tool: say what time it is now in the household's time zone."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text=f"It's {ctx.now.strftime('%H:%M')}.")
