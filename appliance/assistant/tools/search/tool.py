"""The `search` tool: search the member's notes, documents and records by keyword and meaning."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from appliance.assistant.context import ToolContext, ToolReply
from appliance.knowledge import SearchQuery


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    query = str(args["query"])
    results = await ctx.services.knowledge.search(ctx.user_id, SearchQuery(text=query, limit=5))
    if not results.results:
        return ToolReply(text=f"I found nothing about {query}.", link=f"/search?q={quote(query)}")
    titles = ", ".join(hit.title for hit in results.results[:3])
    return ToolReply(
        text=f"I found {len(results.results)} for {query}: {titles}.",
        link=f"/search?q={quote(query)}",
        data=[{"id": h.id, "type": h.type, "title": h.title} for h in results.results],
    )
