"""The `set_timer` tool: start a timer for some seconds, minutes or hours."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.timers import TimerBoard


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    seconds = int(args.get("seconds", 0)) + 60 * int(args.get("minutes", 0)) + 3600 * int(args.get("hours", 0))
    if seconds <= 0:
        return ToolReply(text="How long should the timer run?")
    board: TimerBoard = ctx.services.extras["timers"]
    label = str(args.get("name") or "")
    board.start(ctx.user_id, seconds, label, ctx.room)
    return ToolReply(text=f"Timer{' for ' + label if label else ''} set for {_spoken(seconds)}.")


def _spoken(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "hour"), (minutes, "minute"), (secs, "second")]
    return " and ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)
