"""The Chat Completions API: OpenAI's shape, spoken also by Azure, DeepSeek, Ollama,
llama.cpp's server and LM Studio. Each of those is a thin configuration of
`ChatCompletionsProvider`: where to send the chat, how it authenticates, a `Dialect`.

Tools go as `tools: [{"type": "function", "function": {name, description, parameters}}]` with
`tool_choice` ("auto", "none", "required", or `{"type": "function", "function": {"name"}}`).
A reply's calls come in `message.tool_calls` (arguments as JSON text); a stream sends each call
in `delta.tool_calls` pieces keyed by `index` (the id and name first, then the arguments in
fragments), assembled here. Tool results go back as `{"role": "tool", "tool_call_id", "content"}`
after the assistant turn that asked, which carries its `tool_calls`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from appliance.ai.providers._http import HttpProvider, ProviderHttp, VendorError
from appliance.ai.providers.base import ChatChunk, ChatMessage, ChatRequest, ChatResult, ToolCall, ToolSpec, Usage
from appliance.ai.providers.tools import arguments_from_json, new_call_id
from appliance.errors import ProviderUnavailable

__all__ = ["Dialect", "ChatCompletionsProvider", "bearer", "standard_chat_path"]


@dataclass(frozen=True)
class Dialect:
    """Where one Chat Completions service differs from the others."""

    # OpenAI's reasoning models refuse `max_tokens`; many other servers only know it.
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    models_path: str = "/models"


PLAIN = Dialect()


def bearer(api_key: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {api_key}"} if api_key else {}


def standard_chat_path(request: ChatRequest) -> str:
    return "/chat/completions"


# --- the wire shapes -----------------------------------------------------------


class _StreamOptions(msgspec.Struct, frozen=True):
    include_usage: bool = True  # ask for a last chunk that carries the token counts


class _Function(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    parameters: dict[str, Any]
    description: str | None = None


class _Tool(msgspec.Struct, frozen=True):
    type: Literal["function"]
    function: _Function


class _Named(msgspec.Struct, frozen=True):
    name: str


class _ForcedTool(msgspec.Struct, frozen=True):
    type: Literal["function"]
    function: _Named


class _CallSent(msgspec.Struct, frozen=True):
    name: str
    arguments: str  # JSON text, as the API takes it


class _ToolCallSent(msgspec.Struct, frozen=True):
    id: str
    type: Literal["function"]
    function: _CallSent


class _Turn(msgspec.Struct, frozen=True, omit_defaults=True):
    role: str
    content: str | None  # always sent: null on an assistant turn that only calls tools
    tool_calls: list[_ToolCallSent] | None = None
    tool_call_id: str | None = None


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    model: str
    messages: list[_Turn]
    stream: bool = False
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    stream_options: _StreamOptions | None = None
    tools: list[_Tool] | None = None
    tool_choice: str | _ForcedTool | None = None


class _CallFunction(msgspec.Struct, frozen=True):
    name: str | None = None
    arguments: str | None = None


class _CallPiece(msgspec.Struct, frozen=True):
    """A whole call in a reply, or a piece of one in a stream (matched by `index`)."""

    index: int | None = None
    id: str | None = None
    function: _CallFunction | None = None


class _Message(msgspec.Struct, frozen=True):
    content: str | None = None
    tool_calls: list[_CallPiece] | None = None


class _Choice(msgspec.Struct, frozen=True):
    message: _Message | None = None  # in a whole reply
    delta: _Message | None = None  # in a streamed chunk
    finish_reason: str | None = None


class _Usage(msgspec.Struct, frozen=True):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def to_usage(self) -> Usage:
        return Usage(input_tokens=self.prompt_tokens or 0, output_tokens=self.completion_tokens or 0)


class _Completion(msgspec.Struct, frozen=True):
    model: str = ""
    choices: list[_Choice] = []
    usage: _Usage | None = None


class _Chunk(msgspec.Struct, frozen=True):
    choices: list[_Choice] = []
    usage: _Usage | None = None
    error: VendorError | None = None  # a failure after the stream began


class _Model(msgspec.Struct, frozen=True):
    id: str


class _ModelList(msgspec.Struct, frozen=True):
    data: list[_Model] = []


# --- the provider --------------------------------------------------------------


class ChatCompletionsProvider(HttpProvider):
    def __init__(
        self,
        http: ProviderHttp,
        *,
        dialect: Dialect = PLAIN,
        chat_path: Callable[[ChatRequest], str] = standard_chat_path,
    ) -> None:
        super().__init__(http)
        self._chat_path = chat_path
        self._dialect = dialect

    async def complete(self, request: ChatRequest) -> ChatResult:
        reply = await self._http.post(self._chat_path(request), self._body(request, stream=False), into=_Completion)
        choice = reply.choices[0] if reply.choices else _Choice()
        text = choice.message.content if choice.message else None
        usage = reply.usage.to_usage() if reply.usage else Usage()
        calls = self._whole_calls(choice.message.tool_calls if choice.message else None)
        return ChatResult(
            model=reply.model or request.model,
            text=text or "",
            usage=usage,
            finish_reason="tool_calls" if calls else choice.finish_reason,
            tool_calls=calls or None,
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        tally = _StreamTally(self.kind)
        async with self._http.events(self._chat_path(request), self._body(request, stream=True)) as events:
            async for event in events:
                if event.data.strip() == "[DONE]":
                    tally.done = True
                    break
                if text := tally.add(self._chunk(event.data)):
                    yield ChatChunk(text=text)
        yield tally.final(self.kind)

    async def list_models(self) -> list[str]:
        listing = await self._http.get(self._dialect.models_path, into=_ModelList)
        return [model.id for model in listing.data]

    def _body(self, request: ChatRequest, *, stream: bool) -> _Body:
        limit = {self._dialect.max_tokens_field: request.max_tokens}
        return _Body(
            model=request.model,
            messages=[_turn(m) for m in request.messages],
            stream=stream,
            temperature=request.temperature,
            stop=request.stop,
            stream_options=_StreamOptions() if stream else None,
            tools=[_tool(t) for t in request.tools] if request.tools else None,
            tool_choice=_tool_choice(request.tool_choice) if request.tools else None,
            **limit,
        )

    def _whole_calls(self, pieces: list[_CallPiece] | None) -> list[ToolCall]:
        calls = _CallParts(self.kind)
        for position, piece in enumerate(pieces or []):
            calls.add(msgspec.structs.replace(piece, index=position))
        return calls.assembled()

    def _chunk(self, data: str) -> _Chunk:
        chunk = self._http.decode(data, _Chunk)
        if chunk.error is not None:
            error = chunk.error
            status = 429 if "rate_limit" in f"{error.type}{error.code}" else 503
            raise self._http.error(status, in_stream=True)
        return chunk


def _turn(message: ChatMessage) -> _Turn:
    calls = [_call_sent(call) for call in message.tool_calls or []]
    content = message.content if message.content or not calls else None
    return _Turn(role=message.role, content=content, tool_calls=calls or None, tool_call_id=message.tool_call_id)


def _call_sent(call: ToolCall) -> _ToolCallSent:
    arguments = msgspec.json.encode(call.arguments).decode()
    return _ToolCallSent(id=call.id, type="function", function=_CallSent(name=call.name, arguments=arguments))


def _tool(tool: ToolSpec) -> _Tool:
    function = _Function(name=tool.name, parameters=tool.parameters, description=tool.description or None)
    return _Tool(type="function", function=function)


def _tool_choice(choice: str) -> str | _ForcedTool:
    if choice in ("auto", "none", "required"):
        return choice
    return _ForcedTool(type="function", function=_Named(name=choice))


@dataclass
class _CallInParts:
    id: str | None = None
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class _CallParts:
    """Tool calls as they arrive, in pieces by `index`, put back together.

    Some servers (Ollama) send every call of a batch at index 0 and tell them apart by id
    only, so a new id at a known index starts a new call."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._calls: list[_CallInParts] = []
        self._slot: dict[int, int] = {}  # the vendor's index -> our position

    def add(self, piece: _CallPiece) -> None:
        index = piece.index or 0
        slot = self._slot.get(index)
        if slot is None or (piece.id and self._calls[slot].id not in (None, piece.id)):
            slot = self._slot[index] = len(self._calls)
            self._calls.append(_CallInParts())
        call = self._calls[slot]
        call.id = call.id or piece.id
        if piece.function is not None:
            call.name = call.name or piece.function.name or ""  # sent once; some servers repeat it
            call.arguments.append(piece.function.arguments or "")

    def assembled(self) -> list[ToolCall]:
        return [self._call(parts) for parts in self._calls]

    def _call(self, parts: _CallInParts) -> ToolCall:
        if not parts.name:
            raise ProviderUnavailable(f"{self.kind}: sent a tool call without a tool name", self.kind)
        arguments = arguments_from_json("".join(parts.arguments), self.kind)
        return ToolCall(id=parts.id or new_call_id(), name=parts.name, arguments=arguments)


class _StreamTally:
    """What the stream has said so far besides text: how it ended, what it cost, the tools it calls."""

    def __init__(self, kind: str) -> None:
        self.done = False
        self.finish_reason: str | None = None
        self.usage = Usage()
        self.calls = _CallParts(kind)

    def add(self, chunk: _Chunk) -> str:
        if chunk.usage is not None:
            self.usage = chunk.usage.to_usage()
        text = []
        for choice in chunk.choices:
            self.finish_reason = choice.finish_reason or self.finish_reason
            text.append((choice.delta.content or "") if choice.delta else "")
            for piece in (choice.delta.tool_calls if choice.delta else None) or []:
                self.calls.add(piece)
        return "".join(text)

    def final(self, kind: str) -> ChatChunk:
        if not (self.done or self.finish_reason):
            raise ProviderUnavailable(f"{kind}: the reply ended before it was finished", kind)
        calls = self.calls.assembled()
        finish = "tool_calls" if calls else self.finish_reason
        return ChatChunk(usage=self.usage, finish_reason=finish, tool_calls=calls or None)
