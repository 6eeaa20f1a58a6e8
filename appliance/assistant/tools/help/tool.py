"""The `help` tool: say what Atom can do, from the tool registry (so it never lists what is not there)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.about import abilities, not_yet
from appliance.assistant.context import ToolContext, ToolReply


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    return ToolReply(text=help_text())


def help_text() -> str:
    said = "; ".join(_as_clause(line) for line in abilities())
    missing = not_yet()
    cannot = f" I can't yet {', '.join(missing[:-1])} or {missing[-1]}." if len(missing) > 1 else ""
    return f'I can {said}.{cannot} Try "add oat milk to shopping" or "set a timer for 10 minutes".'


def _as_clause(description: str) -> str:
    """ "Add a task (a to-do)." → "add a task (a to-do)"."""
    text = description.rstrip(".")
    return text[:1].lower() + text[1:]
