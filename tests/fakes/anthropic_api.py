"""A fake of Anthropic's Messages API, shaped after its API reference.

`POST /v1/messages` needs the key (in `x-api-key`, or as a bearer token as newer SDKs send
it), `anthropic-version` and `max_tokens`, and takes
only user and assistant turns (the system prompt is a top-level field). Streams are
named events: message_start, content_block_start, ping, content_block_delta...,
content_block_stop, message_delta (stop reason, output tokens), message_stop; a
failure is an `error` event. Errors are `{"type": "error", "error": {"type", "message"}}`.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.vendor import VendorFake, count_tokens, sse

__all__ = ["FakeAnthropic"]

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


_SYSTEM_HINT = 'The Messages API accepts a top-level `system` parameter, not "system" as an input message role.'


class FakeAnthropic(VendorFake):
    key = "sk-ant-test-0123456789"
    models = ("claude-haiku-4-5", "claude-sonnet-4-5")
    provider = "anthropic"

    def route(self, request: Recorded) -> Reply:
        if self.key not in (
            request.headers.get("x-api-key"),
            request.headers.get("authorization", "").removeprefix("Bearer "),
        ):
            return self.error(401, "invalid x-api-key")
        if "anthropic-version" not in request.headers:
            return self.error(400, "anthropic-version: header is required")
        if (request.method, request.path) == ("GET", "/v1/models"):
            return Reply(body=self.model_list())
        if (request.method, request.path) == ("POST", "/v1/messages"):
            return self.messages(request.body)
        return self.error(404, "Not found")

    def error(self, status: int, message: str, retry_after: str | None = None) -> Reply:
        body = {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}
        return Reply(status=status, body=body, headers={"retry-after": retry_after} if retry_after else {})

    def stream_error_frame(self) -> bytes:
        return sse({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, event="error")

    def model_list(self) -> dict[str, Any]:
        data = [
            {"type": "model", "id": m, "display_name": m.title(), "created_at": "2025-10-01T00:00:00Z"}
            for m in self.models
        ]
        return {"data": data, "has_more": False, "first_id": self.models[0], "last_id": self.models[-1]}

    def messages(self, body: dict[str, Any]) -> Reply:
        if problem := self._refusal(body):
            return self.error(*problem)
        pieces, cut = self.pieces(body["max_tokens"])
        system = body.get("system", "")
        usage = {
            "input_tokens": count_tokens([system, *(m["content"] for m in body["messages"])]),
            "output_tokens": len(pieces),
        }
        stop_reason = "max_tokens" if cut else "end_turn"
        if body.get("stream"):
            return self.message_stream(body["model"], pieces, stop_reason, usage)
        return Reply(body=self.message(body["model"], [{"type": "text", "text": "".join(pieces)}], stop_reason, usage))

    def _refusal(self, body: dict[str, Any]) -> tuple[int, str] | None:
        if body.get("model") not in self.models:
            return 404, f"model: {body.get('model')}"
        if "max_tokens" not in body:
            return 400, "max_tokens: Field required"
        roles = {m["role"] for m in body["messages"]} - {"user", "assistant"}
        if roles:
            return 400, f'messages: Unexpected role "{roles.pop()}". {_SYSTEM_HINT}'
        return None

    def message(
        self, model: str, content: list[dict[str, Any]], stop_reason: str | None, usage: dict[str, int]
    ) -> dict[str, Any]:
        return {
            "id": "msg_fake0001",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": usage,
        }

    def message_stream(self, model: str, pieces: list[str], stop_reason: str, usage: dict[str, int]) -> Reply:
        start = self.message(model, [], None, {"input_tokens": usage["input_tokens"], "output_tokens": 1})
        frames = [
            sse({"type": "message_start", "message": start}, event="message_start"),
            sse(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                event="content_block_start",
            ),
            sse({"type": "ping"}, event="ping"),
        ]
        first_text = len(frames)
        for piece in pieces:
            delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}}
            frames.append(sse(delta, event="content_block_delta"))
        frames += [
            sse({"type": "content_block_stop", "index": 0}, event="content_block_stop"),
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                    "usage": {"output_tokens": usage["output_tokens"]},
                },
                event="message_delta",
            ),
            sse({"type": "message_stop"}, event="message_stop"),
        ]
        return self.streamed(frames, first_text)
