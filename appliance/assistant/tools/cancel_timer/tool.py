"""The `cancel_timer` tool: cancel the member's timers (one by name, or all)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.timers import TimerBoard


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    board: TimerBoard = ctx.services.extras["timers"]
    cancelled = board.cancel(ctx.user_id, str(args.get("name") or ""))
    if not cancelled:
        return ToolReply(text="There is no timer running.")
    return ToolReply(text=f"Cancelled {len(cancelled)} timer{'s' if len(cancelled) != 1 else ''}.")
