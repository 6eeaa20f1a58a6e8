"""A fake of Google's Gemini API (v1beta), shaped after its API reference.

`POST /v1beta/models/{model}:generateContent`, and `:streamGenerateContent` which with
`?alt=sse` sends each GenerateContentResponse as a server-sent event (CRLF line ends,
no `[DONE]`; without it, one JSON array). The key comes in `x-goog-api-key`; a bad
one is a 400 whose ErrorInfo reason is API_KEY_INVALID. Errors are google.rpc.Status
objects; a 429 carries its wait in a RetryInfo detail rather than a header.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.vendor import VendorFake, count_tokens, sse

__all__ = ["FakeGemini"]

_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


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
        pieces, cut = self.pieces(body.get("generationConfig", {}).get("maxOutputTokens"))
        prompt = count_tokens(part["text"] for turn in self._turns(body) for part in turn["parts"])
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
