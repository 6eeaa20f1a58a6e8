"""A command in a conversation: the member's words and Atom's answer kept like any chat turn.

`assist` is what the chat page, `/api/assist` and (later) voice call: it understands and acts,
and keeps both sides in the member's conversation, so the history shows what was done. When no
tool fits, the reply comes from a model through the ordinary chat path (`appliance.ai.chat`).
"""

from __future__ import annotations

import msgspec

from appliance.ai import conversations
from appliance.ai.chat import ChatReply, send_message
from appliance.ai.conversations import MessageCreate
from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.coordinator import Coordinator, Outcome, Understanding
from appliance.events import Event

__all__ = ["AssistReply", "assist", "TOOL_PROVIDER"]

TOOL_PROVIDER = "atom"  # the provider name kept with a tool's answer in the conversation


class AssistReply(msgspec.Struct, frozen=True, kw_only=True):
    conversation_id: str
    understood: Understanding
    acted: bool
    reply: str
    link: str | None = None
    data: object = None
    fallback: str | None = None
    """Why another AI answered than the one chosen (gateway.fallback_note): a swap is never silent."""


async def assist(coordinator: Coordinator, ctx: ToolContext, text: str) -> AssistReply | ChatReply:
    """Act on `text` in the context's conversation (one is started when it has none).

    Returns the tool's answer, already kept; or, for plain chat, the model's reply being streamed
    (iterate its `events()`; the chat path keeps it).
    """
    if ctx.conversation_id is not None:  # a missing or someone else's conversation: 404 before acting
        await conversations.get_conversation(ctx.services.db, ctx.user_id, ctx.conversation_id)
    outcome = await coordinator.act(text, ctx)
    if outcome.reply is None:
        return await _chat(ctx, text)
    conversation_id = await _keep(ctx, text, outcome.understood, outcome.reply)
    return _answer(conversation_id, outcome, outcome.reply)


async def _chat(ctx: ToolContext, text: str) -> ChatReply:
    """Plain chat: the model's reply through the ordinary chat path, in a conversation that exists."""
    services = ctx.services
    conversation_id = ctx.conversation_id
    if conversation_id is None:
        started = await conversations.start_conversation(services.db, ctx.user_id, conversations.title_for(text))
        conversation_id = started.id
    return await send_message(
        services.db, services.ai, services.bus, ctx.principal, conversation_id, MessageCreate(content=text)
    )


async def _keep(ctx: ToolContext, text: str, understood: Understanding, reply: ToolReply) -> str:
    """Both sides of the exchange in one write (a new conversation is started in the same one)."""
    turns = [conversations.Turn("user", text)]
    if reply.text:
        provider, model = _author(understood)
        turns.append(conversations.Turn("assistant", reply.text, provider, model, understood.fallback))
    kept = await conversations.keep_exchange(ctx.services.db, ctx.user_id, ctx.conversation_id, turns)
    ctx.services.bus.publish(Event(topic="conversations", action="updated", id=kept.id), [ctx.user_id])
    return kept.id


def _author(understood: Understanding) -> tuple[str, str]:
    """Who said the answer: Atom's tool, or the model that answered in words."""
    if understood.said is not None and understood.model:
        provider, _, model = understood.model.partition("/")
        return provider, model
    return TOOL_PROVIDER, understood.tool


def _answer(conversation_id: str, outcome: Outcome, reply: ToolReply) -> AssistReply:
    return AssistReply(
        conversation_id=conversation_id,
        understood=outcome.understood,
        acted=outcome.acted,
        reply=reply.text,
        link=reply.link,
        data=reply.data,
        fallback=outcome.understood.fallback,
    )
