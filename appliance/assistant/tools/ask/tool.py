"""The `ask` tool: answer a question from the member's own notes and documents, citing them.

The reply is Markdown the chat renders: a source brought in by a connection is linked to where it
lives (speech reads the link's words only)."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from appliance.assistant.context import ToolContext, ToolReply
from appliance.connectors.records import cited_with_links
from appliance.knowledge.ask import Citation, ask

_BRACKETS = re.compile(r"[\[\]\n\r]")
_UNSAFE_IN_LINK = {"(": "%28", ")": "%29", "[": "%5B", "]": "%5D", " ": "%20"}


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    found = await ask(ctx.services.knowledge, ctx.services.ai, ctx.principal, str(args["question"]))
    answer = await cited_with_links(ctx.services.db, ctx.user_id, found)
    sources = " ".join(f"[{c.number}] {_source(c)}" for c in answer.citations)
    return ToolReply(text=f"{answer.answer} {sources}".strip(), data=msgspec.to_builtins(answer))


def _source(citation: Citation) -> str:
    """The source's title, as a Markdown link when it has one (a title's brackets cannot forge another)."""
    title = _BRACKETS.sub(" ", citation.title).strip() or "(untitled)"
    if citation.url is None:
        return title
    address = "".join(_UNSAFE_IN_LINK.get(ch, ch) for ch in citation.url if not ch.isspace() or ch == " ")
    return f"[{title}]({address})"
