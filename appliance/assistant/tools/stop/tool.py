"""The `stop` tool: stop what Atom is doing: a reply being spoken or a ringing timer."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text="", data={"stop": True})  # the speaker stops; nothing to say
