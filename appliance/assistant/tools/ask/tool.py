"""The `ask` tool: answer a question from the member's own notes and documents, citing them."""

from __future__ import annotations

from typing import Any

import msgspec

from appliance.assistant.context import ToolContext, ToolReply
from appliance.knowledge.ask import ask


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    answer = await ask(ctx.services.knowledge, ctx.services.ai, ctx.principal, str(args["question"]))
    sources = " ".join(f"[{c.number}] {c.title}" for c in answer.citations)
    return ToolReply(text=f"{answer.answer} {sources}".strip(), data=msgspec.to_builtins(answer))
