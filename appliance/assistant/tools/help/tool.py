"""The `help` tool: say what Atom can do, with examples."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text=HELP)


HELP = (
    'I can keep your lists ("add oat milk to shopping"), tasks ("remind me to call the plumber tomorrow at 9"), '
    'calendar ("what\'s on this week"), notes ("note that the spare key is in the shed"), find things in your '
    'notes and documents ("search for the boiler manual", "ask when the bins go out"), set timers '
    '("set a timer for 10 minutes") and tell the time or date. Anything else, I answer as best I can.'
)
