"""The `timer_status` tool: say how long the member's running timers have left."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.timers import TimerBoard


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    board: TimerBoard = ctx.services.extras["timers"]
    running = board.running(ctx.user_id)
    if not running:
        return ToolReply(text="No timer is running.")
    parts = [f"{t.label + ': ' if t.label else ''}{t.remaining // 60} min {t.remaining % 60} s left" for t in running]
    return ToolReply(text="; ".join(parts) + ".")
