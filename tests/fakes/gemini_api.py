"""A fake of Google's Gemini API (v1beta), shaped after its API reference.

`POST /v1beta/models/{model}:generateContent`, and `:streamGenerateContent` which with
`?alt=sse` sends each GenerateContentResponse as a server-sent event (CRLF line ends,
no `[DONE]`; without it, one JSON array). The key comes in `x-goog-api-key`; a bad
one is a 400 whose ErrorInfo reason is API_KEY_INVALID. Errors are google.rpc.Status
objects; a 429 carries its wait in a RetryInfo detail rather than a header.

Tools: `tools: [{functionDeclarations}]` (each with `parameters` or `parametersJsonSchema`, not
both) and `toolConfig.functionCallingConfig` (AUTO, ANY, NONE; allowedFunctionNames only with
ANY) are checked as the API checks them, and so is the history: a turn of `functionCall` parts
must be followed by a user turn with as many `functionResponse` parts. A planned call
(`will_call`) is answered as a `functionCall` part (no id unless the plan gives one, as Gemini
2.x models send none), whole, in one response or one event, with finishReason STOP.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.vendor import PlannedCall, VendorFake, count_tokens, sse

__all__ = ["FakeGemini"]

_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


_FUNCTION_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}")
_RESPONSE_ORDER = (
    "Please ensure that function response turn comes immediately after a function call turn. And the number of"
    " function response parts should be equal to number of function call parts of the function call turn."
)


class FakeGemini(VendorFake):
    key = "AIzaSy-test-0123456789"
    models = ("gemini-2.5-flash", "gemini-2.5-pro")
    base_path = "/v1beta"
    provider = "gemini"
    thoughts: str | None = None  # a thinking model's reasoning, sent as a `thought` part before the answer

    def route(self, request: Recorded) -> Reply:
        if request.headers.get("x-goog-api-key", request.query.get("key")) != self.key:
            return self.bad_key()
        if (request.method, request.path) == ("GET", "/v1beta/models"):
            return Reply(body=self.model_list())
        model, _, method = request.path.removeprefix("/v1beta/models/").partition(":")
        if request.method != "POST" or method not in ("generateContent", "streamGenerateContent"):
            return self.error(404, f"Method not found: {request.path}")
        if model not in self.models:
            return self.error(
                404, f"models/{model} is not found for API version v1beta, or is not supported for {method}."
            )
        return self.generate(
            model, request.body, stream=method == "streamGenerateContent", sse_wanted=request.query.get("alt") == "sse"
        )

    def bad_key(self) -> Reply:
        reply = self.error(400, "API key not valid. Please pass a valid API key.")
        info = {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "API_KEY_INVALID",
            "domain": "googleapis.com",
        }
        reply.body["error"]["details"] = [info]
        return reply

    def error(self, status: int, message: str, retry_after: str | None = None) -> Reply:
        error: dict[str, Any] = {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}
        if retry_after:
            error["details"] = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{retry_after}s"}]
        return Reply(status=status, body={"error": error})

    def stream_error_frame(self) -> bytes:
        return sse(
            {
                "error": {
                    "code": 503,
                    "message": "The model is overloaded. Please try again later.",
                    "status": "UNAVAILABLE",
                }
            },
            newline="\r\n",
        )

    def model_list(self) -> dict[str, Any]:
        chat = [
            {"name": f"models/{m}", "displayName": m, "supportedGenerationMethods": ["generateContent", "countTokens"]}
            for m in self.models
        ]
        embedding = {"name": "models/text-embedding-004", "supportedGenerationMethods": ["embedContent"]}
        return {"models": [*chat, embedding]}

    def generate(self, model: str, body: dict[str, Any], *, stream: bool, sse_wanted: bool) -> Reply:
        roles = {turn.get("role", "user") for turn in body["contents"]} - {"user", "model"}
        if roles:
            return self.error(400, "Please use a valid role: user, model.")
        if problem := _tools_problem(body) or _history_problem(body["contents"]):
            return self.error(400, problem)
        prompt = count_tokens(part.get("text") for turn in self._turns(body) for part in turn["parts"])
        if calls := self.calls_for(*_offered(body)):
            return self.tool_reply(model, calls, prompt, stream=stream, sse_wanted=sse_wanted)
        pieces, cut = self.pieces(body.get("generationConfig", {}).get("maxOutputTokens"))
        finish = "MAX_TOKENS" if cut else "STOP"
        if not stream:
            return Reply(body=self.response(model, "".join(pieces), finish, prompt, len(pieces)))
        responses = [
            self.response(model, piece, finish if i == len(pieces) - 1 else None, prompt, i + 1)
            for i, piece in enumerate(pieces)
        ]
        if not sse_wanted:
            return Reply(body=responses)
        return self.streamed([sse(r, newline="\r\n") for r in responses], first_text=0)

    def tool_reply(self, model: str, calls: list[PlannedCall], prompt: int, *, stream: bool, sse_wanted: bool) -> Reply:
        parts = [
            {"functionCall": {"name": c.name, "args": c.arguments} | ({"id": c.id} if c.id else {})} for c in calls
        ]
        output = count_tokens(call.arguments_json for call in calls)
        candidate = {"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}
        usage = {"promptTokenCount": prompt, "candidatesTokenCount": output, "totalTokenCount": prompt + output}
        response = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": "fake0002"}
        if not stream:
            return Reply(body=response)
        if not sse_wanted:
            return Reply(body=[response])
        return self.streamed([sse(response, newline="\r\n")], first_text=0)

    def _turns(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        system = body.get("systemInstruction")
        return [*body["contents"], *([system] if system else [])]

    def response(self, model: str, text: str, finish: str | None, prompt: int, output: int) -> dict[str, Any]:
        thought = [{"text": self.thoughts, "thought": True}] if self.thoughts else []
        candidate: dict[str, Any] = {"content": {"parts": [*thought, {"text": text}], "role": "model"}, "index": 0}
        if finish:
            candidate["finishReason"] = finish
        thinking = count_tokens([self.thoughts or ""])
        usage = {
            "promptTokenCount": prompt,
            "candidatesTokenCount": output,
            "totalTokenCount": prompt + output + thinking,
        }
        if thinking:
            usage["thoughtsTokenCount"] = thinking
        return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": "fake0001"}


def _offered(body: dict[str, Any]) -> tuple[list[str], str]:
    names = [d["name"] for tool in body.get("tools") or [] for d in tool.get("functionDeclarations") or []]
    config = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    mode = config.get("mode", "AUTO" if names else "NONE")
    allowed = config.get("allowedFunctionNames") or []
    if mode == "ANY":
        return (allowed or names), "required"
    return names, mode.lower()


def _tools_problem(body: dict[str, Any]) -> str | None:
    for tool in body.get("tools") or []:
        for index, declaration in enumerate(tool.get("functionDeclarations") or []):
            if not _FUNCTION_NAME.fullmatch(str(declaration.get("name", ""))):
                return f"* GenerateContentRequest.tools[0].function_declarations[{index}].name: Invalid function name."
            if "parameters" in declaration and "parametersJsonSchema" in declaration:
                return "parameters and parameters_json_schema are mutually exclusive"
    config = (body.get("toolConfig") or {}).get("functionCallingConfig") or {}
    if config.get("mode", "AUTO") not in ("AUTO", "ANY", "NONE", "VALIDATED"):
        return f"Invalid value at 'tool_config.function_calling_config.mode' ({config.get('mode')})"
    if config.get("allowedFunctionNames") and config.get("mode") != "ANY":
        return "allowed_function_names can only be set when mode is ANY"
    return None


def _history_problem(contents: list[dict[str, Any]]) -> str | None:
    calls = 0
    for turn in contents:
        responses = [part for part in turn["parts"] if "functionResponse" in part]
        if responses and (len(responses) != calls or turn.get("role", "user") != "user"):
            return _RESPONSE_ORDER
        if calls and not responses:
            return _RESPONSE_ORDER
        calls = sum(1 for part in turn["parts"] if "functionCall" in part)
    return None
