"""The chat coordinator over HTTP: understand without acting, or act and reply."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import post
from litestar.params import JSONBody

from appliance.accounts.shapes import Principal
from appliance.ai.chat import ChatReply, Done, Failed, Piece
from appliance.assistant import AssistReply, Services, ToolContext, Understanding, assist
from appliance.organizer.household import household_zone
from appliance.organizer.timing import now_in
from appliance.runtime import Runtime
from appliance.server.auth import members_only
from appliance.server.deps import PrincipalDep, RuntimeDep

__all__ = ["routes", "tool_context"]


class Said(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    conversation_id: Annotated[str, msgspec.Meta(max_length=64)] | None = None


@post("/api/assist/understand", tags=["assistant"], guards=[members_only], status_code=200)
async def understand(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[Said]) -> Understanding:
    """What Atom would do with `text` (tool, arguments, which tier chose it, confidence), without doing it."""
    ctx = await tool_context(runtime, principal, data.conversation_id)
    return await runtime.assistant.understand(data.text, ctx)


@post("/api/assist", tags=["assistant"], guards=[members_only], status_code=200)
async def act(runtime: RuntimeDep, principal: PrincipalDep, data: JSONBody[Said]) -> AssistReply:
    """Act on `text` and reply; both are kept in the conversation (a new one when none is named)."""
    ctx = await tool_context(runtime, principal, data.conversation_id)
    answer = await assist(runtime.assistant, ctx, data.text)
    return answer if isinstance(answer, AssistReply) else await _whole(answer)


async def tool_context(
    runtime: Runtime, principal: Principal, conversation_id: str | None, room: str | None = None
) -> ToolContext:
    zone = await household_zone(runtime.db)
    services = Services(
        settings=runtime.settings,
        db=runtime.db,
        bus=runtime.bus,
        knowledge=runtime.knowledge,
        ai=runtime.ai,
        extras={"timers": runtime.timers, "connectors": runtime.connectors},
    )
    return ToolContext(
        services=services, principal=principal, now=now_in(zone), zone=zone, room=room, conversation_id=conversation_id
    )


async def _whole(reply: ChatReply) -> AssistReply:
    """A model's plain reply, read to its end (the chat page streams the same thing instead)."""
    parts: list[str] = []
    fallback: str | None = None
    async for event in reply.events():
        if isinstance(event, Piece):
            parts.append(event.text)
            fallback = fallback or event.fallback or None
        elif isinstance(event, Failed):
            parts.append(event.detail)
        elif isinstance(event, Done):
            break
    return AssistReply(
        conversation_id=reply.turn.conversation.id,
        understood=Understanding(tool="chat", arguments={}, tier="none", confidence=0.0),
        acted=False,
        reply="".join(parts),
        fallback=fallback,
    )


routes = [understand, act]
