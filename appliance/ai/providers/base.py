"""The contract every AI provider implements, and the shapes that cross it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal, Protocol, runtime_checkable

import msgspec

from appliance.ai.outbound import Targets

__all__ = [
    "Role",
    "ToolSpec",
    "ToolCall",
    "TOOL_MODES",
    "ChatMessage",
    "ChatRequest",
    "Usage",
    "ChatChunk",
    "ChatResult",
    "ProviderConfig",
    "ChatProvider",
]

Role = Literal["system", "user", "assistant", "tool"]

# `ChatRequest.tool_choice` is one of these, or the name of one of the request's tools.
TOOL_MODES = ("auto", "required", "none")


def _no_arguments() -> dict[str, Any]:
    return {"type": "object", "properties": {}}


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A tool the model may call: its name, what it does, and its arguments as a JSON Schema object."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = msgspec.field(default_factory=_no_arguments)


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    """The model asks for `name` to run with `arguments`; the result comes back as a "tool" message."""

    id: str
    name: str
    arguments: dict[str, Any] = {}


class ChatMessage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One turn. An assistant turn may ask for tools (`tool_calls`, its text often empty); a
    "tool" turn carries one call's result in `content`, naming the call by `tool_call_id`."""

    role: Role
    content: str
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None


class ChatRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    messages: list[ChatMessage]
    max_tokens: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    tools: list[ToolSpec] | None = None  # None or empty: a plain chat
    tool_choice: str = "auto"  # "auto", "required", "none", or a tool's name (see TOOL_MODES)
    # Who asks, set by the gateway from the signed-in member. The local model shares its turns
    # fairly between members by it; providers never send it anywhere.
    member: str = ""
    # Said only to the model on this box (the gateway adds it to the system message there and drops
    # it for every other route): household details, such as other members' names, never leave home.
    local_note: str = ""


class Usage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0


class ChatChunk(msgspec.Struct, frozen=True, kw_only=True):
    """One piece of a streamed reply; the last one carries usage, finish_reason and any tool calls
    (whole: each call's arguments assembled), and then finish_reason is "tool_calls"."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None
    tool_calls: list[ToolCall] | None = None


class ChatResult(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    text: str
    usage: Usage
    finish_reason: str | None = None
    tool_calls: list[ToolCall] | None = None


class ProviderConfig(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider instance needs: a key from the vault, an address, provider extras."""

    kind: str
    api_key: str | None = None
    base_url: str | None = None
    options: dict[str, str] = {}  # e.g. Azure's api_version
    timeout_seconds: float = 60.0
    targets: Targets = Targets()  # where its connections may go; by default public servers only

    def __repr__(self) -> str:  # keys never reach logs
        return f"ProviderConfig(kind={self.kind!r}, base_url={self.base_url!r}, api_key=<hidden>)"


@runtime_checkable
class ChatProvider(Protocol):
    kind: str

    def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        """Yield the reply as it is generated; raise ProviderError subclasses on failure."""
        ...

    async def complete(self, request: ChatRequest) -> ChatResult: ...

    async def list_models(self) -> list[str]:
        """A cheap live call: proves the key works."""
        ...

    async def aclose(self) -> None: ...
