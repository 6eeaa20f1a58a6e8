"""The `create_note` tool: write a note (private unless the member says it is for the household)."""

from __future__ import annotations

from typing import Any

from appliance.assistant.context import ToolContext, ToolReply
from appliance.knowledge.notes import NoteCreate, create_note


async def run(ctx: ToolContext, args: dict[str, Any]) -> ToolReply:
    body = str(args["body"]).strip()
    title = str(args.get("title") or _title(body))
    services = ctx.services
    new = NoteCreate(title=title, body=body, shared=bool(args.get("shared", False)))
    note = await create_note(services.db, services.knowledge, services.bus, ctx.user_id, new)
    return ToolReply(text=f"Noted: {title}.", link=f"/notes#{note.id}", data={"id": note.id})


def _title(body: str) -> str:
    words = body.split()
    return " ".join(words[:8]).rstrip(".,;:") + ("…" if len(words) > 8 else "")
