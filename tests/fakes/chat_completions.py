"""Fakes of the Chat Completions API as OpenAI, DeepSeek, a LAN server and Azure speak it.

Shapes follow the vendors' API references: `chat.completion` and `chat.completion.chunk`
objects, `data: [DONE]`, the usage chunk `stream_options.include_usage` asks for
(empty `choices`), and `{"error": {...}}` bodies. Azure differs in its paths
(`/openai/deployments/{deployment}/...?api-version=`), its `api-key` header, its
error objects (`code` + `message`) and a first stream chunk of prompt filter results.

Tools: `tools` of `{"type": "function", "function": {...}}` and `tool_choice` are checked as the
API checks them, and so is the history (a `tool` message must answer a `tool_calls` entry of the
assistant message before it, and every call must be answered). A planned call (`will_call`) is
answered as `message.tool_calls` with `finish_reason: "tool_calls"`, or streamed as the API
streams it: the call's id and name first, then its arguments in fragments, each keyed by `index`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.vendor import PlannedCall, VendorFake, count_tokens, fragments, sse

__all__ = ["FakeOpenAI", "FakeDeepSeek", "FakeLanServer", "FakeAzureOpenAI"]

CREATED = 1_760_000_000
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    404: "invalid_request_error",
    429: "requests",
}
# Models that refuse `max_tokens`, as OpenAI's reasoning models do.
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
_MAX_TOKENS_REFUSED = (
    "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
)
_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_ORPHAN_RESULT = (
    "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."
)
_UNANSWERED = (
    "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'."
    " The following tool_call_ids did not have response messages: "
)
_AZURE_BAD_KEY = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key"
    " for an active subscription and use a correct regional API endpoint for your resource."
)
_AZURE_NO_DEPLOYMENT = (
    "The API deployment for this resource does not exist. If you created the deployment within the last"
    " 5 minutes, please wait a moment and try again."
)


class FakeOpenAI(VendorFake):
    key = "sk-test-0123456789abcdef"
    models = ("gpt-4o-mini", "gpt-5-mini")
    base_path = "/v1"
    owner = "openai"
    provider = "openai"
    usage_in_stream = True  # honour stream_options.include_usage (some LAN servers ignore it)

    def route(self, request: Recorded) -> Reply:
        if not self.authorised(request):
            return self.error(401, f"Incorrect API key provided: {self.masked(request)}.", code="invalid_api_key")
        if (request.method, request.path) == ("GET", f"{self.base_path}/models"):
            return Reply(body=self.model_list())
        if (request.method, request.path) == ("POST", f"{self.base_path}/chat/completions"):
            return self.chat(request.body, request.body.get("model"))
        return self.error(404, f"Invalid URL ({request.method} {request.path})")

    def authorised(self, request: Recorded) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.key}"

    def masked(self, request: Recorded) -> str:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        return f"{sent[:3]}****{sent[-4:]}" if len(sent) > 8 else "****"

    def error(self, status: int, message: str, retry_after: str | None = None, code: str | None = None) -> Reply:
        kind = _ERROR_TYPES.get(status, "server_error")
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        return Reply(status=status, body=body, headers={"retry-after": retry_after} if retry_after else {})

    def stream_error_frame(self) -> bytes:
        return sse(
            {
                "error": {
                    "message": "The server had an error while processing your request.",
                    "type": "server_error",
                    "param": None,
                    "code": None,
                }
            }
        )

    def model_list(self) -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": m, "object": "model", "created": CREATED, "owned_by": self.owner} for m in self.models],
        }

    # --- chat ---------------------------------------------------------------------

    def chat(self, body: dict[str, Any], model: str | None) -> Reply:
        if model not in self.models:
            return self.error(
                404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
            )
        if model.startswith(_REASONING_PREFIXES) and "max_tokens" in body:
            return self.error(400, _MAX_TOKENS_REFUSED)
        if problem := _tools_problem(body) or _history_problem(body["messages"]):
            return self.error(400, problem)
        prompt = count_tokens(m.get("content") for m in body["messages"])
        if calls := self.calls_for(*_offered(body)):
            return self.tool_reply(model, body, calls, prompt)
        pieces, cut = self.pieces(body.get("max_completion_tokens", body.get("max_tokens")))
        usage = {"prompt_tokens": prompt, "completion_tokens": len(pieces), "total_tokens": prompt + len(pieces)}
        finish = "length" if cut else "stop"
        if body.get("stream"):
            wants_usage = (body.get("stream_options") or {}).get("include_usage", False)
            return self.chat_stream(model, pieces, finish, usage, wants_usage and self.usage_in_stream)
        return Reply(body=self.completion(model, "".join(pieces), finish, usage))

    def completion(self, model: str, text: str, finish: str, usage: dict[str, int]) -> dict[str, Any]:
        message = {"role": "assistant", "content": text, "refusal": None}
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        return {**self._envelope("chat.completion", model), "choices": [choice], "usage": usage}

    def chat_stream(
        self, model: str, pieces: list[str], finish: str, usage: dict[str, int], include_usage: bool
    ) -> Reply:
        envelope = self._envelope("chat.completion.chunk", model) | ({"usage": None} if include_usage else {})

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            return sse(
                {
                    **envelope,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
                }
            )

        frames = self.stream_preamble() + [chunk({"role": "assistant", "content": "", "refusal": None})]
        first_text = len(frames)
        frames += [chunk({"content": piece}) for piece in pieces] + [chunk({}, finish)]
        if include_usage:
            frames.append(sse({**envelope, "choices": [], "usage": usage}))
        return self.streamed(frames + [sse("[DONE]")], first_text)

    def stream_preamble(self) -> list[bytes]:
        return []

    # --- tool calls ---------------------------------------------------------------

    def tool_reply(self, model: str, body: dict[str, Any], calls: list[PlannedCall], prompt: int) -> Reply:
        sent = [_call_json(index, call) for index, call in enumerate(calls)]
        output = count_tokens(call.arguments_json for call in calls)
        usage = {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output}
        if not body.get("stream"):
            message = {"role": "assistant", "content": None, "tool_calls": sent, "refusal": None}
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "tool_calls"}
            return Reply(body={**self._envelope("chat.completion", model), "choices": [choice], "usage": usage})
        wants_usage = (body.get("stream_options") or {}).get("include_usage", False) and self.usage_in_stream
        return self.tool_stream(model, sent, usage, wants_usage)

    def tool_stream(self, model: str, calls: list[dict[str, Any]], usage: dict[str, int], include_usage: bool) -> Reply:
        envelope = self._envelope("chat.completion.chunk", model) | ({"usage": None} if include_usage else {})

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return sse({**envelope, "choices": [choice]})

        frames, first_text = self.stream_preamble(), None
        for index, call in enumerate(calls):
            head = {**call, "index": index, "function": {"name": call["function"]["name"], "arguments": ""}}
            opening = {"role": "assistant", "content": None, "refusal": None} if index == 0 else {}
            frames.append(chunk({**opening, "tool_calls": [head]}))
            first_text = len(frames) if first_text is None else first_text
            for piece in fragments(call["function"]["arguments"]):
                frames.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
        frames.append(chunk({}, "tool_calls"))
        if include_usage:
            frames.append(sse({**envelope, "choices": [], "usage": usage}))
        return self.streamed(frames + [sse("[DONE]")], first_text or 0)

    def _envelope(self, kind: str, model: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake0001",
            "object": kind,
            "created": CREATED,
            "model": model,
            "system_fingerprint": "fp_fake",
        }


def _call_json(index: int, call: PlannedCall) -> dict[str, Any]:
    call_id = call.id or f"call_fake{index + 1:04d}"
    return {"id": call_id, "type": "function", "function": {"name": call.name, "arguments": call.arguments_json}}


def _offered(body: dict[str, Any]) -> tuple[list[str], str]:
    """The tools a request offers, and its tool_choice as "auto", "none", "required" or a name."""
    names = [tool["function"]["name"] for tool in body.get("tools") or []]
    choice = body.get("tool_choice", "auto" if names else "none")
    return names, choice["function"]["name"] if isinstance(choice, dict) else choice


def _tools_problem(body: dict[str, Any]) -> str | None:
    tools = body.get("tools")
    if tools is None and "tool_choice" in body:
        return "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified."
    if tools is None:
        return None
    for index, tool in enumerate(tools):
        function = tool.get("function") if isinstance(tool, dict) else None
        if tool.get("type") != "function" or not isinstance(function, dict):
            return f"Missing required parameter: 'tools[{index}].function'."
        if not _TOOL_NAME.fullmatch(str(function.get("name", ""))):
            return f"Invalid 'tools[{index}].function.name': string does not match pattern '^[a-zA-Z0-9_-]+$'."
        if not isinstance(function.get("parameters", {}), dict):
            return f"Invalid type for 'tools[{index}].function.parameters': expected an object."
    names, choice = _offered(body)
    if choice not in ("auto", "none", "required", *names):
        return f"Invalid value for 'tool_choice': no function named '{choice}' was specified in 'tools'."
    return None


def _history_problem(messages: list[dict[str, Any]]) -> str | None:
    """As the API refuses them: results that answer no call, and calls left unanswered."""
    waiting: set[str] = set()
    for index, message in enumerate(messages):
        if message["role"] == "tool":
            if message.get("tool_call_id") not in waiting:
                return _ORPHAN_RESULT
            waiting.discard(message["tool_call_id"])
            continue
        if waiting:
            return _UNANSWERED + ", ".join(sorted(waiting))
        for call in message.get("tool_calls") or []:
            if not isinstance(call.get("function", {}).get("arguments"), str):
                return f"Invalid type for 'messages[{index}].tool_calls.function.arguments': expected a string."
            waiting.add(call["id"])
    return _UNANSWERED + ", ".join(sorted(waiting)) if waiting else None


class FakeDeepSeek(FakeOpenAI):
    """DeepSeek: Chat Completions at the root of api.deepseek.com, with its own models."""

    key = "sk-deepseek-test-key"
    models = ("deepseek-chat", "deepseek-reasoner")
    base_path = ""
    owner = "deepseek"
    provider = "deepseek"

    def stream_preamble(self) -> list[bytes]:
        return [b": keep-alive\n\n"]  # DeepSeek sends SSE comments while a request waits


class FakeLanServer(FakeOpenAI):
    """A llama.cpp / Ollama / LM Studio server on another machine; a key only if one is set."""

    key = "lan-secret"
    models = ("qwen2.5:7b", "llama3.2:3b")
    owner = "library"
    provider = "openai_compatible"

    def __init__(self, *, key: str | None = "lan-secret") -> None:
        super().__init__()
        self.key = key  # type: ignore[assignment]

    def authorised(self, request: Recorded) -> bool:
        return self.key is None or super().authorised(request)


class FakeAzureOpenAI(FakeOpenAI):
    key = "0123456789abcdef0123456789abcdef"
    deployments = {"gpt-4o-mini": "gpt-4o-mini", "family-chat": "gpt-4o"}
    models = ("gpt-4o-mini", "gpt-4o")
    base_path = ""
    provider = "azure_openai"

    def route(self, request: Recorded) -> Reply:
        if "api-version" not in request.query:
            return self.error(404, "Resource not found")
        if not self.authorised(request):
            return self.error(401, _AZURE_BAD_KEY)
        if (request.method, request.path) == ("GET", "/openai/models"):
            return Reply(body=self.model_list())
        return self.deployment_chat(request)

    def deployment_chat(self, request: Recorded) -> Reply:
        parts = request.path.strip("/").split("/")
        if (
            request.method != "POST"
            or len(parts) != 5
            or parts[:2] != ["openai", "deployments"]
            or parts[3:] != ["chat", "completions"]
        ):
            return self.error(404, "Resource not found")
        if parts[2] not in self.deployments:
            return self.error(404, _AZURE_NO_DEPLOYMENT, code="DeploymentNotFound")
        return self.chat(request.body, self.deployments[parts[2]])

    def authorised(self, request: Recorded) -> bool:
        return request.headers.get("api-key") == self.key

    def error(self, status: int, message: str, retry_after: str | None = None, code: str | None = None) -> Reply:
        # Azure rounds Retry-After up to whole seconds and sends the exact wait in milliseconds.
        seconds = float(retry_after) if retry_after else 0.0
        headers = (
            {"retry-after": str(math.ceil(seconds)), "retry-after-ms": str(int(seconds * 1000))} if retry_after else {}
        )
        return Reply(status=status, body={"error": {"code": code or str(status), "message": message}}, headers=headers)

    def model_list(self) -> dict[str, Any]:
        entry = {
            "status": "succeeded",
            "capabilities": {"chat_completion": True},
            "lifecycle_status": "generally-available",
            "object": "model",
        }
        return {"object": "list", "data": [{"id": m, "created_at": CREATED, **entry} for m in self.models]}

    def stream_preamble(self) -> list[bytes]:
        filters = {"hate": {"filtered": False, "severity": "safe"}, "violence": {"filtered": False, "severity": "safe"}}
        return [
            sse(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "model": "",
                    "object": "",
                    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": filters}],
                }
            )
        ]
