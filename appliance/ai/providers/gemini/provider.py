"""Google's Gemini API: `models/{model}:generateContent`, and `:streamGenerateContent?alt=sse`
for streams, with the key in the `x-goog-api-key` header (never in the URL).

System messages become `systemInstruction`; the assistant's turns have the role
`model`; limits go in `generationConfig`. Every streamed event is a whole
GenerateContentResponse carrying the running `usageMetadata`; no `[DONE]` ends it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

import msgspec

from appliance.ai.providers._http import HttpProvider, ProviderHttp, RetryPolicy, VendorError
from appliance.ai.providers.base import ChatChunk, ChatProvider, ChatRequest, ChatResult, ProviderConfig, Usage
from appliance.errors import ProviderUnavailable

__all__ = ["create"]

_ROLES = {"user": "user", "assistant": "model"}
_FILTERED = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"}
_FINISH = {"STOP": "stop", "MAX_TOKENS": "length"} | {reason: "content_filter" for reason in _FILTERED}


def create(config: ProviderConfig, *, retry: RetryPolicy | None = None) -> ChatProvider:
    headers = {"x-goog-api-key": config.api_key} if config.api_key else {}
    return GeminiProvider(ProviderHttp(config, headers=headers, retry=retry, rejects_key=_rejects_key))


def _rejects_key(status: int, error: VendorError) -> bool:
    """Google answers a bad key with 400 INVALID_ARGUMENT and the reason API_KEY_INVALID."""
    return any(detail.get("reason") == "API_KEY_INVALID" for detail in error.details)


# --- the wire shapes -----------------------------------------------------------


class _TextPart(msgspec.Struct, frozen=True):
    text: str


class _Turn(msgspec.Struct, frozen=True, omit_defaults=True):
    parts: list[_TextPart]
    role: str | None = None


class _GenerationConfig(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    max_output_tokens: int | None = None
    temperature: float | None = None
    stop_sequences: list[str] | None = None


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    contents: list[_Turn]
    system_instruction: _Turn | None = None
    generation_config: _GenerationConfig | None = None


class _Part(msgspec.Struct, frozen=True):
    text: str = ""
    thought: bool = False  # a thinking model's reasoning, not part of the answer


class _Content(msgspec.Struct, frozen=True):
    parts: list[_Part] = []


class _Candidate(msgspec.Struct, frozen=True, rename="camel"):
    content: _Content | None = None
    finish_reason: str | None = None


class _UsageMetadata(msgspec.Struct, frozen=True, rename="camel"):
    prompt_token_count: int = 0
    candidates_token_count: int = 0
    thoughts_token_count: int = 0  # billed as output

    def to_usage(self) -> Usage:
        return Usage(
            input_tokens=self.prompt_token_count, output_tokens=self.candidates_token_count + self.thoughts_token_count
        )


class _PromptFeedback(msgspec.Struct, frozen=True, rename="camel"):
    block_reason: str | None = None


class _Response(msgspec.Struct, frozen=True, rename="camel"):
    candidates: list[_Candidate] = []
    usage_metadata: _UsageMetadata | None = None
    prompt_feedback: _PromptFeedback | None = None
    model_version: str = ""
    error: VendorError | None = None  # a failure after the stream began

    def text(self) -> str:
        content = self.candidates[0].content if self.candidates else None
        return "".join(part.text for part in content.parts if not part.thought) if content else ""

    def finish_reason(self) -> str | None:
        if self.prompt_feedback and self.prompt_feedback.block_reason:
            return "content_filter"
        raw = self.candidates[0].finish_reason if self.candidates else None
        return _FINISH.get(raw, raw.lower()) if raw else None


class _Model(msgspec.Struct, frozen=True, rename="camel"):
    name: str
    supported_generation_methods: list[str] = []


class _ModelList(msgspec.Struct, frozen=True):
    models: list[_Model] = []


# --- the provider --------------------------------------------------------------


class GeminiProvider(HttpProvider):
    async def complete(self, request: ChatRequest) -> ChatResult:
        reply = await self._http.post(_path(request, "generateContent"), _body(request), into=_Response)
        usage = reply.usage_metadata.to_usage() if reply.usage_metadata else Usage()
        model = reply.model_version or request.model
        return ChatResult(model=model, text=reply.text(), usage=usage, finish_reason=reply.finish_reason())

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        usage, finish_reason = Usage(), None
        path, params = _path(request, "streamGenerateContent"), {"alt": "sse"}
        async with self._http.events(path, _body(request), params=params) as events:
            async for sse in events:
                reply = self._reply(sse.data)
                usage = reply.usage_metadata.to_usage() if reply.usage_metadata else usage
                finish_reason = reply.finish_reason() or finish_reason
                if text := reply.text():
                    yield ChatChunk(text=text)
        if finish_reason is None:
            raise ProviderUnavailable(f"{self.kind}: the reply ended before it was finished", self.kind)
        yield ChatChunk(usage=usage, finish_reason=finish_reason)

    async def list_models(self) -> list[str]:
        listing = await self._http.get("/models", into=_ModelList, params={"pageSize": "1000"})
        chat = [model for model in listing.models if "generateContent" in model.supported_generation_methods]
        return [model.name.removeprefix("models/") for model in chat]

    def _reply(self, data: str) -> _Response:
        reply = self._http.decode(data, _Response)
        if (error := reply.error) is not None:
            status = error.code if isinstance(error.code, int) and 400 <= error.code < 600 else 500
            raise self._http.error(status, in_stream=True)
        return reply


def _path(request: ChatRequest, method: str) -> str:
    return f"/models/{quote(request.model.removeprefix('models/'), safe='')}:{method}"


def _body(request: ChatRequest) -> _Body:
    system = [_TextPart(m.content) for m in request.messages if m.role == "system"]
    turns = [_Turn([_TextPart(m.content)], _ROLES[m.role]) for m in request.messages if m.role != "system"]
    config = _GenerationConfig(
        max_output_tokens=request.max_tokens, temperature=request.temperature, stop_sequences=request.stop
    )
    return _Body(
        contents=turns,
        system_instruction=_Turn(system) if system else None,
        generation_config=config if config != _GenerationConfig() else None,
    )
