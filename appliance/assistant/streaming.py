"""The chat page's way through the coordinator: the same understanding and acting as `assist`,
told as the chat stream's events (turn, chunks, action, done) so a model's words arrive as they
are written and a tool's answer arrives with a link to what it changed.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import ClassVar

import msgspec

from appliance.ai import conversations
from appliance.ai.chat import ChatEvent, Done, Failed, Piece, Turn
from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.conversation import TOOL_PROVIDER
from appliance.assistant.coordinator import CHAT, Coordinator, Understanding
from appliance.assistant.llm_tier import LlmChoice, choose_streaming
from appliance.errors import ProviderError, RequestError, ServiceUnavailable
from appliance.events import Event

__all__ = ["Acted", "stream_assist"]


class Acted(msgspec.Struct, frozen=True, kw_only=True):
    """What a tool did, for the page to link to ("Added oat milk to Shopping" → the list)."""

    kind: ClassVar[str] = "action"
    tool: str
    tier: str
    acted: bool
    link: str | None


async def stream_assist(
    coordinator: Coordinator, ctx: ToolContext, text: str
) -> AsyncGenerator[ChatEvent | Acted, None]:
    """Act on `text` in the context's conversation (which must exist), as chat events."""
    assert ctx.conversation_id is not None
    db, user_id, conversation_id = ctx.services.db, ctx.user_id, ctx.conversation_id
    await conversations.get_conversation(db, user_id, conversation_id)  # 404 before anything is kept
    matched = await coordinator.understand_without_model(text, ctx)
    conversation, mine = await conversations.add_message(db, user_id, conversation_id, "user", text)
    yield Turn(conversation=conversation, message=mine)
    if matched is not None:
        outcome = await coordinator.act_on(matched, ctx)
        async for event in _tool_answer(ctx, outcome.understood, outcome.reply, outcome.acted):
            yield event
        return
    async for event in _ask_model(coordinator, ctx, text):
        yield event


async def _ask_model(coordinator: Coordinator, ctx: ToolContext, text: str) -> AsyncGenerator[ChatEvent | Acted, None]:
    spoken: list[str] = []
    try:
        async for piece in choose_streaming(text, ctx):
            if isinstance(piece, LlmChoice):
                choice = piece
            else:
                spoken.append(piece)
                yield Piece(text=piece, model="")
    except (ProviderError, ServiceUnavailable, RequestError) as exc:  # over budget, busy model, no provider
        yield Failed(detail=str(exc))
        return
    if choice.fallback:  # told after the words (they streamed as the model wrote them), before Done
        yield Piece(text="", model=choice.route, fallback=choice.fallback)
    if choice.tool is None:
        provider, _, model = choice.route.partition("/")
        yield Done(message=await _keep(ctx, "".join(spoken), provider, model, choice.fallback))
        return
    outcome = await coordinator.act_on(coordinator.from_model(choice), ctx)
    async for event in _tool_answer(ctx, outcome.understood, outcome.reply, outcome.acted):
        yield event


async def _tool_answer(
    ctx: ToolContext, understood: Understanding, reply: ToolReply | None, acted: bool
) -> AsyncGenerator[ChatEvent | Acted, None]:
    text = reply.text if reply is not None else ""
    if text:
        yield Piece(text=text, model=f"{TOOL_PROVIDER}/{understood.tool}")
    if understood.tool != CHAT:
        yield Acted(tool=understood.tool, tier=understood.tier, acted=acted, link=reply.link if reply else None)
    kept = await _keep(ctx, text, TOOL_PROVIDER, understood.tool, understood.fallback) if text else None
    yield Done(message=kept)


async def _keep(
    ctx: ToolContext, text: str, provider: str, model: str, fallback: str | None = None
) -> conversations.StoredMessage | None:
    if not text:
        return None
    assert ctx.conversation_id is not None
    services = ctx.services
    _, kept = await conversations.add_message(
        services.db, ctx.user_id, ctx.conversation_id, "assistant", text, provider, model, fallback
    )
    services.bus.publish(Event(topic="conversations", action="updated", id=ctx.conversation_id), [ctx.user_id])
    return kept
