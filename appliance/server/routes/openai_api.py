"""Atom speaks the OpenAI API to the house: `/v1/models` and `/v1/chat/completions`.

Requests go through the same routing and ledger as the chat page. `model` is
"auto" (the member's policy) or "provider/model" from `/v1/models`. A client that hangs up
stops its request, whether it waits for the local model, streams, or waits for a whole reply.
Errors use OpenAI's shape, `{"error": {"message", "type", "code"}}`, so SDKs show them.

Tools come in OpenAI's format (`tools` of type "function", `tool_choice`, assistant
`tool_calls` with JSON-text arguments, `tool` messages with `tool_call_id`) and calls go back
in it, with `finish_reason: "tool_calls"`: whole in a reply, or in one delta before the last
chunk of a stream. Any model answers them: the cloud's natively, the box's by grammar.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated, Any, Literal, get_args

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.params import JSONBody
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from appliance.accounts.shapes import Principal
from appliance.ai import chat
from appliance.ai.gateway import AIGateway
from appliance.ai.providers.base import TOOL_MODES, ChatMessage, ChatRequest, Role, ToolCall, ToolSpec, Usage
from appliance.errors import InvalidInput, ProviderError, RequestError, ServiceUnavailable
from appliance.server.deps import AIDep, PrincipalDep
from appliance.server.errors import exception_handlers, retry_after_header
from appliance.server.hangup import until_hangup

__all__ = ["routes"]

_ROLES: tuple[Role, ...] = get_args(Role)


class ContentPart(msgspec.Struct, frozen=True):
    type: str
    text: str = ""


class FunctionCall(msgspec.Struct, frozen=True):
    name: str
    arguments: str = "{}"  # JSON text, as OpenAI sends it


class InToolCall(msgspec.Struct, frozen=True):
    id: Annotated[str, msgspec.Meta(max_length=256)]
    function: FunctionCall
    type: Literal["function"] = "function"


class InMessage(msgspec.Struct, frozen=True):
    role: str
    content: str | list[ContentPart] | None = None
    tool_calls: list[InToolCall] | None = None  # an assistant turn that called tools
    tool_call_id: Annotated[str, msgspec.Meta(max_length=256)] | None = None  # a "tool" turn: which call


class FunctionSpec(msgspec.Struct, frozen=True):
    name: str
    description: str = ""
    parameters: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "object", "properties": {}})


class InTool(msgspec.Struct, frozen=True):
    type: Literal["function"]
    function: FunctionSpec


class FunctionName(msgspec.Struct, frozen=True):
    name: str


class NamedTool(msgspec.Struct, frozen=True):
    type: Literal["function"]
    function: FunctionName


class StreamOptions(msgspec.Struct, frozen=True):
    include_usage: bool = False


class CompletionRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The fields Atom honours; others an SDK sends (top_p, user, …) are accepted and ignored."""

    model: Annotated[str, msgspec.Meta(max_length=200)] = "auto"
    messages: Annotated[list[InMessage], msgspec.Meta(min_length=1, max_length=500)]
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: Annotated[int, msgspec.Meta(ge=1, le=32768)] | None = None
    max_completion_tokens: Annotated[int, msgspec.Meta(ge=1, le=32768)] | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0, le=2)] | None = None
    stop: str | list[str] | None = None
    n: Annotated[int, msgspec.Meta(ge=1, le=1)] = 1
    tools: list[InTool] | None = None  # how many, and what they hold: providers.tools.check_tools
    tool_choice: Literal["auto", "none", "required"] | NamedTool | None = None


@get("/models")
async def list_models(ai: AIDep, principal: PrincipalDep) -> dict[str, Any]:
    routes = await ai.models(principal)
    names = ["auto", *dict.fromkeys(r.name for r in routes)]
    return {"object": "list", "data": [_model_entry(name) for name in names]}


@post("/chat/completions", status_code=HTTP_200_OK)
async def chat_completions(
    ai: AIDep, principal: PrincipalDep, data: JSONBody[CompletionRequest], request: Request
) -> Response[Any]:
    asked, reply_id, created = _chat_request(data), f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if not data.stream:
        return Response(await until_hangup(request, _whole(ai, principal, asked, reply_id, created)))
    # routing, budget and queue errors are HTTP errors here, before the stream starts
    reply = await until_hangup(request, chat.start_reply(ai, principal, asked, source="api"))
    include_usage = bool(data.stream_options and data.stream_options.include_usage)
    events = _sse(reply, reply_id, created, include_usage)
    return Stream(events, media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _chat_request(data: CompletionRequest) -> ChatRequest:
    messages = [_message(m) for m in data.messages]
    stop = [data.stop] if isinstance(data.stop, str) else data.stop
    tools = [
        ToolSpec(name=t.function.name, description=t.function.description, parameters=t.function.parameters)
        for t in data.tools or []
    ]
    return ChatRequest(
        model=data.model,
        messages=messages,
        max_tokens=data.max_completion_tokens or data.max_tokens,
        temperature=data.temperature,
        stop=stop,
        tools=tools or None,
        tool_choice=_tool_choice(data.tool_choice, tools),
    )


def _message(message: InMessage) -> ChatMessage:
    calls = [_call_in(call) for call in message.tool_calls or []]
    return ChatMessage(
        role=_role(message.role),
        content=_text(message.content),
        tool_calls=calls or None,
        tool_call_id=message.tool_call_id,
    )


def _call_in(call: InToolCall) -> ToolCall:
    try:
        arguments = msgspec.json.decode(call.function.arguments or "{}")
    except msgspec.DecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        raise InvalidInput(f"the arguments of tool call {call.id[:60]!r} are not a JSON object")
    return ToolCall(id=call.id, name=call.function.name, arguments=arguments)


def _tool_choice(choice: str | NamedTool | None, tools: list[ToolSpec]) -> str:
    """OpenAI's default is "auto" with tools and "none" without; a named tool is its name."""
    if isinstance(choice, NamedTool):
        if choice.function.name in TOOL_MODES:  # a tool cannot be called that: it reads as the mode
            raise InvalidInput(f"no tool may be called {choice.function.name!r}")
        return choice.function.name
    return choice or ("auto" if tools else "none")


def _role(role: str) -> Role:
    if role == "developer":
        return "system"
    if role not in _ROLES:
        raise InvalidInput(f"message role {role!r} is not supported ({', '.join(_ROLES)})")
    return role


def _text(content: str | list[ContentPart] | None) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    if any(part.type != "text" for part in content):
        raise InvalidInput("only text content parts are supported")
    return "".join(part.text for part in content)


async def _whole(
    ai: AIGateway, principal: Principal, asked: ChatRequest, reply_id: str, created: int
) -> dict[str, Any]:
    reply = await chat.start_reply(ai, principal, asked, source="api")
    parts, last = [], reply.first
    async with aclosing(reply.pieces()) as pieces:
        async for routed in pieces:
            parts.append(routed.chunk.text)
            last = routed
    usage, calls, text = last.chunk.usage or Usage(), last.chunk.tool_calls, "".join(parts)
    message: dict[str, Any] = {"role": "assistant", "content": (text or None) if calls else text}
    if calls:
        message["tool_calls"] = _calls_out(calls)
    return {
        "id": reply_id,
        "object": "chat.completion",
        "created": created,
        "model": reply.first.route.name,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if calls else _finish(last.chunk.finish_reason),
            }
        ],
        "usage": _usage(usage),
    }


async def _sse(reply: chat.Reply, reply_id: str, created: int, include_usage: bool) -> AsyncIterator[bytes]:
    model, usage = reply.first.route.name, None
    head = {"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": model}
    yield _event(
        {**head, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    )
    try:
        async with aclosing(reply.pieces()) as pieces:  # a client that left stops generation now
            async for routed in pieces:
                chunk = routed.chunk
                usage = chunk.usage or usage
                if chunk.tool_calls:  # whole, in one delta, before the chunk that says why it ended
                    calls = {"tool_calls": _calls_out(chunk.tool_calls, indexed=True)}
                    yield _event({**head, "choices": [{"index": 0, "delta": calls, "finish_reason": None}]})
                if chunk.text or chunk.finish_reason:
                    delta = {"content": chunk.text} if chunk.text else {}
                    finish = _finish(chunk.finish_reason) if chunk.finish_reason else None
                    yield _event({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    except (ProviderError, ServiceUnavailable) as exc:  # the reply already started: report in-band
        yield _event({"error": {"message": str(exc), "type": "provider_error", "code": None}})
    finally:
        await reply.aclose()  # left before the first piece was read
    if include_usage:
        yield _event({**head, "choices": [], "usage": _usage(usage or Usage())})
    yield b"data: [DONE]\n\n"


def _calls_out(calls: list[ToolCall], *, indexed: bool = False) -> list[dict[str, Any]]:
    return [
        {
            **({"index": index} if indexed else {}),
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": msgspec.json.encode(call.arguments).decode()},
        }
        for index, call in enumerate(calls)
    ]


def _event(payload: dict[str, Any]) -> bytes:
    return b"data: " + msgspec.json.encode(payload) + b"\n\n"


def _usage(usage: Usage) -> dict[str, int]:
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.input_tokens + usage.output_tokens,
    }


def _finish(reason: str | None) -> str:
    return {"max_tokens": "length", "end_turn": "stop", "stop_sequence": "stop"}.get(reason or "stop", reason or "stop")


def _model_entry(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": name.split("/")[0] if "/" in name else "atom"}


def _openai_error(request: Request, exc: Exception) -> Response[Any]:
    """Same status as everywhere else, in the body shape OpenAI clients parse."""
    response = _handler_for(exc)(request, exc)
    status = response.status_code
    detail = response.content["detail"] if isinstance(response.content, dict) else str(exc)
    headers = retry_after_header(exc)
    kind = "invalid_request_error" if status < 500 else "server_error"
    return Response({"error": {"message": detail, "type": kind, "code": status}}, status_code=status, headers=headers)


def _handler_for(exc: Exception) -> Any:
    for kind in type(exc).__mro__:
        if kind in exception_handlers:
            return exception_handlers[kind]
    return exception_handlers[Exception]


routes = [
    Router(
        "/v1",
        route_handlers=[list_models, chat_completions],
        tags=["openai"],
        exception_handlers={
            RequestError: _openai_error,
            ServiceUnavailable: _openai_error,
            ProviderError: _openai_error,
            HTTPException: _openai_error,
        },
    )
]
