"""The second tier: a model chooses among Atom's tools, or answers in words.

One request offers every tool (name, description, JSON schema from its manifest) with what the
model needs to know: who is speaking, the household's date, time and zone, the room, and the
last turns of the conversation. Cloud providers answer with native tool calls; the local model
writes grammar-constrained JSON (the local provider does that). A model that answers in words
has given the reply itself, so nothing is asked twice.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from appliance.ai import conversations
from appliance.ai.providers.base import ChatMessage, ChatRequest, ToolSpec
from appliance.assistant.about import describe, household_note
from appliance.assistant.context import ToolContext
from appliance.assistant.registry import tools

__all__ = ["LlmChoice", "choose", "choose_streaming"]

_NOT_OFFERED = frozenset({"confirm", "deny", "cancel", "stop"})  # answers to Atom's own questions: the matcher's
_RECENT_TURNS = 6
_SUMMARY_CHARS = 800
_CONFIDENCE = {"local": 0.5}  # a 135M model picks right only sometimes; cloud models rarely miss
_CLOUD_CONFIDENCE = 0.85


class LlmChoice:
    """A tool call, or words; and which model said it."""

    def __init__(
        self, tool: str | None, arguments: dict[str, Any], text: str, route: str, provider: str, fallback: str = ""
    ) -> None:
        self.tool, self.arguments, self.text, self.route, self.provider = tool, arguments, text, route, provider
        self.fallback = fallback  # the chosen route failed and this one answered (gateway.fallback_note)

    @property
    def confidence(self) -> float:
        return _CONFIDENCE.get(self.provider, _CLOUD_CONFIDENCE)


async def choose(text: str, ctx: ToolContext) -> LlmChoice:
    """The model's whole answer: a tool call, or its words."""
    choice = None
    async for piece in choose_streaming(text, ctx):
        if isinstance(piece, LlmChoice):
            choice = piece
    assert choice is not None
    return choice


async def choose_streaming(text: str, ctx: ToolContext) -> AsyncGenerator[str | LlmChoice, None]:
    """Words as the model says them (str), then the whole answer (LlmChoice) last."""
    request = ChatRequest(
        model="auto",
        messages=[await _system(ctx), *await _recent(ctx), ChatMessage(role="user", content=text)],
        local_note=await household_note(ctx),
        tools=_specs(),
        tool_choice="auto",
        max_tokens=400,
    )
    words: list[str] = []
    call, route, provider, fallback = None, "", "", ""
    async for routed in ctx.services.ai.stream(ctx.principal, request, source="chat"):
        route, provider, fallback = routed.route.name, routed.route.provider, routed.fallback
        if routed.chunk.text:
            words.append(routed.chunk.text)
            yield routed.chunk.text
        if routed.chunk.tool_calls:
            call = routed.chunk.tool_calls[0]
    if call is not None and call.name in tools():
        yield LlmChoice(call.name, dict(call.arguments), "", route, provider, fallback)
    else:
        yield LlmChoice(None, {}, "".join(words).strip(), route, provider, fallback)


def _specs() -> list[ToolSpec]:
    return [
        ToolSpec(name=t.name, description=t.manifest.description, parameters=t.manifest.parameters)
        for t in tools().values()
        if t.name not in _NOT_OFFERED
    ]


async def _system(ctx: ToolContext) -> ChatMessage:
    """Who Atom is, whose home, when, and what it can and cannot do yet (`about.py`)."""
    return ChatMessage(role="system", content=await describe(ctx, tools_offered=True))


async def _recent(ctx: ToolContext) -> list[ChatMessage]:
    """The last turns as they were; anything older condensed into one note (no model call)."""
    if ctx.conversation_id is None:
        return []
    detail = await conversations.get_conversation(ctx.services.db, ctx.user_id, ctx.conversation_id)
    turns = conversations.history(detail)
    older, recent = turns[:-_RECENT_TURNS], turns[-_RECENT_TURNS:]
    return ([_summary(older)] if older else []) + recent


def _summary(turns: list[ChatMessage]) -> ChatMessage:
    """Earlier in this conversation, one short line per turn, most recent last, within a budget."""
    lines = [f"{'Member' if t.role == 'user' else 'Atom'}: {' '.join(t.content.split()[:14])}" for t in turns]
    kept: list[str] = []
    for line in reversed(lines):
        if sum(map(len, kept)) + len(line) > _SUMMARY_CHARS:
            break
        kept.insert(0, line)
    return ChatMessage(role="system", content="Earlier in this conversation:\n" + "\n".join(kept))
