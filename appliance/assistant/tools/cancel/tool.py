"""The `cancel` tool: cancel what is waiting for a yes, or stop."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text="OK, cancelled.")
