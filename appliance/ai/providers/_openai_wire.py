"""The Chat Completions API: OpenAI's shape, spoken also by Azure, DeepSeek, Ollama,
llama.cpp's server and LM Studio. Each of those is a thin configuration of
`ChatCompletionsProvider`: where to send the chat, how it authenticates, a `Dialect`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal

import msgspec

from appliance.ai.providers._http import HttpProvider, ProviderHttp, VendorError
from appliance.ai.providers.base import ChatChunk, ChatMessage, ChatRequest, ChatResult, Usage
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


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    model: str
    messages: list[ChatMessage]
    stream: bool = False
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    stop: list[str] | None = None
    stream_options: _StreamOptions | None = None


class _Message(msgspec.Struct, frozen=True):
    content: str | None = None


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
        return ChatResult(
            model=reply.model or request.model, text=text or "", usage=usage, finish_reason=choice.finish_reason
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        tally = _StreamTally()
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
            messages=request.messages,
            stream=stream,
            temperature=request.temperature,
            stop=request.stop,
            stream_options=_StreamOptions() if stream else None,
            **limit,
        )

    def _chunk(self, data: str) -> _Chunk:
        chunk = self._http.decode(data, _Chunk)
        if chunk.error is not None:
            error = chunk.error
            status = 429 if "rate_limit" in f"{error.type}{error.code}" else 503
            raise self._http.error(status, in_stream=True)
        return chunk


class _StreamTally:
    """What the stream has said so far besides text: how it ended and what it cost."""

    def __init__(self) -> None:
        self.done = False
        self.finish_reason: str | None = None
        self.usage = Usage()

    def add(self, chunk: _Chunk) -> str:
        if chunk.usage is not None:
            self.usage = chunk.usage.to_usage()
        text = []
        for choice in chunk.choices:
            self.finish_reason = choice.finish_reason or self.finish_reason
            text.append((choice.delta.content or "") if choice.delta else "")
        return "".join(text)

    def final(self, kind: str) -> ChatChunk:
        if not (self.done or self.finish_reason):
            raise ProviderUnavailable(f"{kind}: the reply ended before it was finished", kind)
        return ChatChunk(usage=self.usage, finish_reason=self.finish_reason)
