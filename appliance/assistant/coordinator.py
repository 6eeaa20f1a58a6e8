"""The chat coordinator: what the member said → which tool, with what → done, and said back.

Two tiers understand a message. The matcher (sentence templates, milliseconds) carries the
everyday commands; whatever it does not recognise goes to the AI gateway with the tools
offered (`llm_tier.py`). What neither turns into a tool is `chat`: a plain reply. A tool marked
`confirm` (it sends, deletes or spends) first asks, and runs on "yes".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

import msgspec

from appliance.assistant.context import ToolContext, ToolReply
from appliance.assistant.llm_tier import LlmChoice
from appliance.assistant.matcher import match
from appliance.assistant.pending import PendingActions
from appliance.assistant.registry import tool, tools
from appliance.errors import ProviderError, ServiceUnavailable

__all__ = ["Understanding", "Outcome", "Coordinator", "CHAT", "Tier"]

CHAT = "chat"
Tier = Literal["matcher", "llm", "none"]
_CONFIRMING = frozenset({"confirm", "deny", "cancel", "stop"})
LlmTier = Callable[[str, ToolContext], Awaitable[LlmChoice]]
SlotSource = Callable[[ToolContext], Awaitable[Mapping[str, Sequence[str]]]]


class Understanding(msgspec.Struct, frozen=True, kw_only=True):
    """What Atom is about to do, without doing it."""

    tool: str
    arguments: dict[str, Any]
    tier: Tier
    confidence: float
    confirm: bool = False
    """True when this tool asks before it acts."""
    said: str | None = None
    """For `chat` chosen by a model: the words it already answered with."""
    model: str | None = None
    """For the `llm` tier: the provider/model that chose."""
    fallback: str | None = None
    """For the `llm` tier: why another AI chose than the member's (gateway.fallback_note)."""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    understood: Understanding
    reply: ToolReply | None
    """None for `chat`: the caller streams a model's reply instead."""
    acted: bool


class Coordinator:
    def __init__(self, slots: SlotSource, llm: LlmTier | None = None) -> None:
        self._slots, self._llm = slots, llm
        self.pending = PendingActions()

    async def understand(self, text: str, ctx: ToolContext) -> Understanding:
        household = await self._slots(ctx)
        matched = match(text, household)
        if matched is not None:
            return _understood(matched.tool, matched.arguments, "matcher", matched.confidence)
        if self._llm is not None:
            chosen = await self._ask_model(text, ctx)
            if chosen is not None:
                return chosen
        return Understanding(tool=CHAT, arguments={"text": text}, tier="none", confidence=0.0)

    async def _ask_model(self, text: str, ctx: ToolContext) -> Understanding | None:
        assert self._llm is not None
        try:
            choice = await self._llm(text, ctx)
        except (ProviderError, ServiceUnavailable):
            return None  # no model to ask: the plain chat path says why
        found = self.from_model(choice)
        return msgspec.structs.replace(found, arguments={"text": text}) if found.tool == CHAT else found

    async def understand_without_model(self, text: str, ctx: ToolContext) -> Understanding | None:
        """The matcher's understanding alone (milliseconds), or None when no template fits."""
        matched = match(text, await self._slots(ctx))
        return None if matched is None else _understood(matched.tool, matched.arguments, "matcher", matched.confidence)

    def from_model(self, choice: LlmChoice) -> Understanding:
        """What a model chose: a tool with its arguments, or `chat` with the words it already said."""
        if choice.tool is None:
            return Understanding(
                tool=CHAT,
                arguments={},
                tier="llm",
                confidence=choice.confidence,
                said=choice.text,
                model=choice.route,
                fallback=choice.fallback or None,
            )
        found = _understood(choice.tool, choice.arguments, "llm", choice.confidence)
        return msgspec.structs.replace(found, model=choice.route, fallback=choice.fallback or None)

    async def act(self, text: str, ctx: ToolContext) -> Outcome:
        return await self.act_on(await self.understand(text, ctx), ctx)

    async def act_on(self, understood: Understanding, ctx: ToolContext) -> Outcome:
        """Do what was understood: settle a pending question, ask first, run the tool, or leave it to chat."""
        if understood.tool in _CONFIRMING and self.pending.waiting(ctx.user_id):
            return await self._settle(understood, ctx)
        if understood.tool == CHAT:
            reply = ToolReply(text=understood.said) if understood.said else None
            return Outcome(understood=understood, reply=reply, acted=False)
        if understood.confirm:
            self.pending.ask(ctx.user_id, understood.tool, understood.arguments)
            question = await _question(understood, ctx)
            return Outcome(understood=understood, reply=question, acted=False)
        reply = await tool(understood.tool).run(ctx, understood.arguments)
        return Outcome(understood=understood, reply=reply, acted=True)

    async def _settle(self, answer: Understanding, ctx: ToolContext) -> Outcome:
        waiting = self.pending.take(ctx.user_id)
        if waiting is None or answer.tool != "confirm":
            return Outcome(understood=answer, reply=ToolReply(text="All right, I won't."), acted=False)
        reply = await tool(waiting.tool).run(ctx, waiting.arguments)
        done = _understood(waiting.tool, waiting.arguments, answer.tier, answer.confidence)
        return Outcome(understood=done, reply=reply, acted=True)


def _understood(name: str, arguments: dict[str, Any], tier: Tier, confidence: float) -> Understanding:
    return Understanding(
        tool=name, arguments=arguments, tier=tier, confidence=confidence, confirm=tools()[name].manifest.confirm
    )


async def _question(understood: Understanding, ctx: ToolContext) -> ToolReply:
    """Tools that ask first describe what they are about to do (their `describe`), else a plain question."""
    described = getattr(_module_of(understood.tool), "describe", None)
    action = await described(ctx, understood.arguments) if described else understood.tool.replace("_", " ")
    return ToolReply(text=f"Shall I {action}? Say yes to go ahead, or no.")


def _module_of(name: str) -> Any:
    import importlib

    from appliance.assistant.registry import TOOLS_PACKAGE

    return importlib.import_module(f"{TOOLS_PACKAGE}.{name}.tool")
