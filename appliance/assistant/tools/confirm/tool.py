"""The `confirm` tool: yes: go ahead with what Atom asked about."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text="There was nothing waiting for a yes.")
