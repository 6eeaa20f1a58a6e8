"""Google's Gemini API: `models/{model}:generateContent`, and `:streamGenerateContent?alt=sse`
for streams, with the key in the `x-goog-api-key` header (never in the URL).

System messages become `systemInstruction`; the assistant's turns have the role
`model`; limits go in `generationConfig`. Every streamed event is a whole
GenerateContentResponse carrying the running `usageMetadata`; no `[DONE]` ends it.

Tools go as `tools: [{functionDeclarations: [{name, description, parametersJsonSchema}]}]`
(the field that takes JSON Schema as it is) with `toolConfig.functionCallingConfig` (mode AUTO,
ANY or NONE; ANY with `allowedFunctionNames` to force one). The model calls them in
`functionCall` parts (name, args, and an id when it gives one), whole even in a stream; the
finish reason stays STOP, so a reply with calls is reported as "tool_calls". A turn that called
tools is replayed as `functionCall` parts; the results go back as `functionResponse` parts
({name, id, response: {output}}) in the user turn after it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

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
from appliance.ai.providers.tools import call_names, new_call_id
from appliance.errors import InvalidInput, ProviderUnavailable

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


class _FunctionCall(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    args: dict[str, Any] = {}
    id: str | None = None


class _CallPart(msgspec.Struct, frozen=True, rename="camel"):
    function_call: _FunctionCall


class _FunctionResponse(msgspec.Struct, frozen=True, omit_defaults=True):
    name: str
    response: dict[str, Any]
    id: str | None = None


class _ResponsePart(msgspec.Struct, frozen=True, rename="camel"):
    function_response: _FunctionResponse


_SentPart = _TextPart | _CallPart | _ResponsePart


class _Turn(msgspec.Struct, frozen=True, omit_defaults=True):
    parts: list[_SentPart]
    role: str | None = None


class _Declaration(msgspec.Struct, frozen=True, omit_defaults=True, rename="camel"):
    name: str
    parameters_json_schema: dict[str, Any]
    description: str | None = None


class _Tool(msgspec.Struct, frozen=True, rename="camel"):
    function_declarations: list[_Declaration]


class _FunctionCallingConfig(msgspec.Struct, frozen=True, omit_defaults=True, rename="camel"):
    mode: str  # AUTO, ANY, NONE
    allowed_function_names: list[str] | None = None


class _ToolConfig(msgspec.Struct, frozen=True, rename="camel"):
    function_calling_config: _FunctionCallingConfig


class _GenerationConfig(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    max_output_tokens: int | None = None
    temperature: float | None = None
    stop_sequences: list[str] | None = None


class _Body(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, rename="camel"):
    contents: list[_Turn]
    system_instruction: _Turn | None = None
    generation_config: _GenerationConfig | None = None
    tools: list[_Tool] | None = None
    tool_config: _ToolConfig | None = None


class _Part(msgspec.Struct, frozen=True, rename="camel"):
    text: str = ""
    thought: bool = False  # a thinking model's reasoning, not part of the answer
    function_call: _FunctionCall | None = None


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

    def calls(self) -> list[ToolCall]:
        content = self.candidates[0].content if self.candidates else None
        found = [part.function_call for part in content.parts if part.function_call] if content else []
        return [ToolCall(id=call.id or new_call_id(), name=call.name, arguments=call.args) for call in found]

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
        calls = reply.calls()
        finish = "tool_calls" if calls else reply.finish_reason()
        return ChatResult(model=model, text=reply.text(), usage=usage, finish_reason=finish, tool_calls=calls or None)

    async def stream(self, request: ChatRequest) -> AsyncIterator[ChatChunk]:
        usage, finish_reason, calls = Usage(), None, list[ToolCall]()
        path, params = _path(request, "streamGenerateContent"), {"alt": "sse"}
        async with self._http.events(path, _body(request), params=params) as events:
            async for sse in events:
                reply = self._reply(sse.data)
                usage = reply.usage_metadata.to_usage() if reply.usage_metadata else usage
                finish_reason = reply.finish_reason() or finish_reason
                calls += reply.calls()
                if text := reply.text():
                    yield ChatChunk(text=text)
        if finish_reason is None:
            raise ProviderUnavailable(f"{self.kind}: the reply ended before it was finished", self.kind)
        yield ChatChunk(usage=usage, finish_reason="tool_calls" if calls else finish_reason, tool_calls=calls or None)

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
    system: list[_SentPart] = [_TextPart(m.content) for m in request.messages if m.role == "system"]
    config = _GenerationConfig(
        max_output_tokens=request.max_tokens, temperature=request.temperature, stop_sequences=request.stop
    )
    return _Body(
        contents=_turns(request.messages),
        system_instruction=_Turn(system) if system else None,
        generation_config=config if config != _GenerationConfig() else None,
        tools=[_Tool([_declaration(t) for t in request.tools])] if request.tools else None,
        tool_config=_tool_config(request.tool_choice) if request.tools else None,
    )


def _turns(messages: list[ChatMessage]) -> list[_Turn]:
    """One turn per message, except that tool results join the user turn after the calls."""
    names = call_names(messages)
    turns: list[_Turn] = []
    for message in (m for m in messages if m.role != "system"):
        turn = _turn(message, names)
        last = turns[-1] if turns else None
        if last and last.role == turn.role == "user" and isinstance(last.parts[-1], _ResponsePart):
            turns[-1] = _Turn([*last.parts, *turn.parts], "user")
        else:
            turns.append(turn)
    return turns


def _turn(message: ChatMessage, names: dict[str, str]) -> _Turn:
    if message.role == "tool":
        call_id = message.tool_call_id or ""
        if call_id not in names:
            raise InvalidInput("a tool result must answer a tool call made earlier in the conversation")
        answer = _FunctionResponse(name=names[call_id], response={"output": message.content}, id=call_id)
        return _Turn([_ResponsePart(answer)], "user")
    parts: list[_SentPart] = [_TextPart(message.content)] if message.content or not message.tool_calls else []
    parts += [_CallPart(_FunctionCall(name=c.name, args=c.arguments, id=c.id)) for c in message.tool_calls or []]
    return _Turn(parts, _ROLES[message.role])


def _declaration(tool: ToolSpec) -> _Declaration:
    return _Declaration(name=tool.name, parameters_json_schema=tool.parameters, description=tool.description or None)


def _tool_config(choice: str) -> _ToolConfig:
    if choice in ("auto", "none"):
        return _ToolConfig(_FunctionCallingConfig(mode=choice.upper()))
    forced = None if choice == "required" else [choice]
    return _ToolConfig(_FunctionCallingConfig(mode="ANY", allowed_function_names=forced))
