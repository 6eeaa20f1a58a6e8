"""Anthropic's Messages API: `POST /v1/messages` with `x-api-key` and `anthropic-version`.

System messages move to the top-level `system` field; `max_tokens` is required there,
so a default is sent when the request has none. Streams are typed SSE events:
message_start (input tokens), content_block_delta (text), message_delta (stop reason,
output tokens), message_stop, and error.

Tools go as `tools: [{name, description, input_schema}]` with `tool_choice` ({"type": "auto"},
"any" for required, "none", or {"type": "tool", "name"}). The model calls them in `tool_use`
content blocks (id, name, input); a stream opens each with content_block_start and sends its
input as `input_json_delta` fragments, assembled here. An assistant turn that called tools
carries them as `tool_use` blocks; their results go back as `tool_result` blocks at the start
of the next user turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import msgspec

from appliance.ai.providers._http import HttpProvider, ProviderHttp, RetryPolicy, VendorError
from appliance.ai.providers.base import (
    ChatChunk,
    ChatMessage,
    ChatProvider,
    ChatRequest,
    ChatResult,
    ProviderConfig,
    ToolCall,
    ToolSpec,
    Usage,
)
from appliance.ai.providers.tools import arguments_from_json
from appliance.errors import ProviderError, ProviderUnavailable

__all__ = ["create", "API_VERSION"]

API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "content_filter",
    "tool_use": "tool_calls",
}
# The HTTP status each documented error type stands for, to map in-stream errors alike.
_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    headers = {"anthropic-version": API_VERSION} | ({"x-api-key": config.api_key} if config.api_key else {})
    return AnthropicProvider(ProviderHttp(config, headers=headers, retry=retry))


# --- the wire shapes -----------------------------------------------------------


class _TextBlock(msgspec.Struct, frozen=True, tag="text", tag_field="type"):
    text: str


class _ToolUseBlock(msgspec.Struct, frozen=True, tag="tool_use", tag_field="type"):
    id: str
    name: str
    input: dict[str, Any]


class _ToolResultBlock(msgspec.Struct, frozen=True, tag="tool_result", tag_field="type"):
    tool_use_id: str
    content: str


_SentBlock = _TextBlock | _ToolUseBlock | _ToolResultBlock


class _Turn(msgspec.Struct, frozen=True):
    role: str
    content: str | list[_SentBlock]


class _Tool(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    input_schema: dict[str, Any]
    description: str | None = None


class _ToolChoice(msgspec.Struct, frozen=True, omit_defaults=True):
    type: str  # auto, any, none, tool
    name: str | None = None


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    model: str
    max_tokens: int
    messages: list[_Turn]
    system: str | None = None
    temperature: float | None = None
    stop_sequences: list[str] | None = None
    stream: bool = False
    tools: list[_Tool] | None = None
    tool_choice: _ToolChoice | None = None


class _Block(msgspec.Struct, frozen=True):
    type: str = ""
    text: str = ""
    id: str = ""  # tool_use
    name: str = ""
    input: dict[str, Any] | None = None


class _Usage(msgspec.Struct, frozen=True):
    input_tokens: int = 0
    output_tokens: int = 0


class _Reply(msgspec.Struct, frozen=True):
    model: str = ""
    content: list[_Block] = []
    stop_reason: str | None = None
    usage: _Usage | None = None


class _Delta(msgspec.Struct, frozen=True):
    type: str = ""
    text: str = ""
    partial_json: str = ""  # input_json_delta: a piece of a tool_use block's input
    stop_reason: str | None = None


class _Event(msgspec.Struct, frozen=True):
    type: str = ""
    index: int = 0  # content_block_*: which block
    message: _Reply | None = None  # message_start
    content_block: _Block | None = None  # content_block_start
    delta: _Delta | None = None  # content_block_delta, message_delta
    usage: _Usage | None = None  # message_delta: cumulative counts
    error: VendorError | None = None  # error


class _Model(msgspec.Struct, frozen=True):
    id: str


class _ModelList(msgspec.Struct, frozen=True):
    data: list[_Model] = []


# --- the provider --------------------------------------------------------------


class AnthropicProvider(HttpProvider):
    async def complete(self, request: ChatRequest) -> ChatResult:
        reply = await self._http.post("/v1/messages", _body(request, stream=False), into=_Reply)
        text = "".join(block.text for block in reply.content if block.type == "text")
        calls = [_call(block) for block in reply.content if block.type == "tool_use"]
        return ChatResult(
            model=reply.model or request.model,
            text=text,
            usage=_usage(reply.usage),
            finish_reason=_finish(reply.stop_reason),
            tool_calls=calls or None,
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        tally = _StreamTally(self.kind)
        async with self._http.events("/v1/messages", _body(request, stream=True)) as events:
            async for sse in events:
                event = self._http.decode(sse.data, _Event)
                if event.error is not None:
                    raise self._stream_error(event.error)
                if text := tally.add(event):
                    yield ChatChunk(text=text)
                if tally.stopped:
                    break
        yield tally.final(self.kind)

    async def list_models(self) -> list[str]:
        listing = await self._http.get("/v1/models", into=_ModelList, params={"limit": "1000"})
        return [model.id for model in listing.data]

    def _stream_error(self, error: VendorError) -> ProviderError:
        kind = error.type or "api_error"
        return self._http.error(_ERROR_STATUS.get(kind, 500), in_stream=True)


def _body(request: ChatRequest, *, stream: bool) -> _Body:
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    return _Body(
        model=request.model,
        max_tokens=request.max_tokens or DEFAULT_MAX_TOKENS,
        messages=_turns(m for m in request.messages if m.role != "system"),
        system=system or None,
        temperature=request.temperature,
        stop_sequences=request.stop,
        stream=stream,
        tools=[_tool(t) for t in request.tools] if request.tools else None,
        tool_choice=_tool_choice(request.tool_choice) if request.tools else None,
    )


def _turns(messages: Iterable[ChatMessage]) -> list[_Turn]:
    """Plain turns stay plain text; tool calls become blocks, and tool results join the user
    turn that follows them (a user turn may hold several results, then the member's words)."""
    turns: list[_Turn] = []
    for message in messages:
        turn = _turn(message)
        last = turns[-1] if turns else None
        if last and last.role == turn.role == "user" and isinstance(last.content, list):
            turns[-1] = _Turn("user", [*last.content, *_blocks(turn.content)])
        else:
            turns.append(turn)
    return turns


def _turn(message: ChatMessage) -> _Turn:
    if message.role == "tool":
        return _Turn("user", [_ToolResultBlock(tool_use_id=message.tool_call_id or "", content=message.content)])
    if not message.tool_calls:
        return _Turn(message.role, message.content)
    calls: list[_SentBlock] = [_ToolUseBlock(id=c.id, name=c.name, input=c.arguments) for c in message.tool_calls]
    return _Turn(message.role, [*_blocks(message.content), *calls])


def _blocks(content: str | list[_SentBlock]) -> list[_SentBlock]:
    if isinstance(content, list):
        return content
    return [_TextBlock(content)] if content else []


def _tool(tool: ToolSpec) -> _Tool:
    return _Tool(name=tool.name, input_schema=tool.parameters, description=tool.description or None)


def _tool_choice(choice: str) -> _ToolChoice:
    if choice in ("auto", "none"):
        return _ToolChoice(type=choice)
    if choice == "required":
        return _ToolChoice(type="any")
    return _ToolChoice(type="tool", name=choice)


def _call(block: _Block) -> ToolCall:
    return ToolCall(id=block.id, name=block.name, arguments=block.input or {})


def _usage(usage: _Usage | None) -> Usage:
    return Usage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens) if usage else Usage()


def _finish(stop_reason: str | None) -> str | None:
    return _FINISH.get(stop_reason, stop_reason) if stop_reason else None


class _StreamTally:
    """What the stream has said besides text: its token counts, how it ended, the tools it calls."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.input_tokens = 0
        self.output_tokens = 0
        self.stop_reason: str | None = None
        self.stopped = False
        self.calls: dict[int, tuple[_Block, list[str]]] = {}  # block index -> its tool_use start, input pieces

    def add(self, event: _Event) -> str:
        if event.type == "message_start" and event.message is not None:
            self._count(event.message.usage)
        elif event.type == "message_delta":
            self._count(event.usage)
            self.stop_reason = (event.delta.stop_reason if event.delta else None) or self.stop_reason
        elif event.type == "message_stop":
            self.stopped = True
        elif event.type == "content_block_start" and event.content_block and event.content_block.type == "tool_use":
            self.calls[event.index] = (event.content_block, [])
        elif event.type == "content_block_delta" and event.delta and event.delta.type == "input_json_delta":
            self._input_piece(event.index, event.delta.partial_json)
        elif event.type == "content_block_delta" and event.delta and event.delta.type == "text_delta":
            return event.delta.text
        return ""

    def _input_piece(self, index: int, piece: str) -> None:
        if index not in self.calls:
            raise ProviderUnavailable(f"{self.kind}: sent tool input for a block it never started", self.kind)
        self.calls[index][1].append(piece)

    def tool_calls(self) -> list[ToolCall]:
        return [
            ToolCall(id=start.id, name=start.name, arguments=arguments_from_json("".join(pieces), self.kind))
            for _, (start, pieces) in sorted(self.calls.items())
        ]

    def _count(self, usage: _Usage | None) -> None:
        if usage is not None:
            self.input_tokens = max(self.input_tokens, usage.input_tokens)
            self.output_tokens = max(self.output_tokens, usage.output_tokens)

    def final(self, kind: str) -> ChatChunk:
        if not self.stopped:
            raise ProviderUnavailable(f"{kind}: the reply ended before it was finished", kind)
        usage = Usage(input_tokens=self.input_tokens, output_tokens=self.output_tokens)
        calls = self.tool_calls()
        return ChatChunk(usage=usage, finish_reason=_finish(self.stop_reason), tool_calls=calls or None)
