"""Anthropic's Messages API: `POST /v1/messages` with `x-api-key` and `anthropic-version`.

System messages move to the top-level `system` field; `max_tokens` is required there,
so a default is sent when the request has none. Streams are typed SSE events:
message_start (input tokens), content_block_delta (text), message_delta (stop reason,
output tokens), message_stop, and error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec

from appliance.ai.providers._http import HttpProvider, ProviderHttp, RetryPolicy, VendorError
from appliance.ai.providers.base import ChatChunk, ChatProvider, ChatRequest, ChatResult, ProviderConfig, Usage
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


class _Turn(msgspec.Struct, frozen=True):
    role: str
    content: str


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    model: str
    max_tokens: int
    messages: list[_Turn]
    system: str | None = None
    temperature: float | None = None
    stop_sequences: list[str] | None = None
    stream: bool = False


class _Block(msgspec.Struct, frozen=True):
    type: str = ""
    text: str = ""


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
    stop_reason: str | None = None


class _Event(msgspec.Struct, frozen=True):
    type: str = ""
    message: _Reply | None = None  # message_start
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
        usage = _usage(reply.usage)
        return ChatResult(
            model=reply.model or request.model, text=text, usage=usage, finish_reason=_finish(reply.stop_reason)
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        tally = _StreamTally()
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
        messages=[_Turn(m.role, m.content) for m in request.messages if m.role != "system"],
        system=system or None,
        temperature=request.temperature,
        stop_sequences=request.stop,
        stream=stream,
    )


def _usage(usage: _Usage | None) -> Usage:
    return Usage(input_tokens=usage.input_tokens, output_tokens=usage.output_tokens) if usage else Usage()


def _finish(stop_reason: str | None) -> str | None:
    return _FINISH.get(stop_reason, stop_reason) if stop_reason else None


class _StreamTally:
    """What the stream has said besides text: its token counts and how it ended."""

    def __init__(self) -> None:
        self.input_tokens = 0
        self.output_tokens = 0
        self.stop_reason: str | None = None
        self.stopped = False

    def add(self, event: _Event) -> str:
        if event.type == "message_start" and event.message is not None:
            self._count(event.message.usage)
        elif event.type == "message_delta":
            self._count(event.usage)
            self.stop_reason = (event.delta.stop_reason if event.delta else None) or self.stop_reason
        elif event.type == "message_stop":
            self.stopped = True
        elif event.type == "content_block_delta" and event.delta and event.delta.type == "text_delta":
            return event.delta.text
        return ""

    def _count(self, usage: _Usage | None) -> None:
        if usage is not None:
            self.input_tokens = max(self.input_tokens, usage.input_tokens)
            self.output_tokens = max(self.output_tokens, usage.output_tokens)

    def final(self, kind: str) -> ChatChunk:
        if not self.stopped:
            raise ProviderUnavailable(f"{kind}: the reply ended before it was finished", kind)
        usage = Usage(input_tokens=self.input_tokens, output_tokens=self.output_tokens)
        return ChatChunk(usage=usage, finish_reason=_finish(self.stop_reason))
