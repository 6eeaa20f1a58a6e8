"""A fake of Anthropic's Messages API, shaped after its API reference.

`POST /v1/messages` needs the key (in `x-api-key`, or as a bearer token as newer SDKs send
it), `anthropic-version` and `max_tokens`, and takes
only user and assistant turns (the system prompt is a top-level field). Streams are
named events: message_start, content_block_start, ping, content_block_delta...,
content_block_stop, message_delta (stop reason, output tokens), message_stop; a
failure is an `error` event. Errors are `{"type": "error", "error": {"type", "message"}}`.

Tools: `tools` (name, description, input_schema of type object) and `tool_choice` (auto, any,
tool, none) are checked as the API checks them, and so is the history: every `tool_use` block
needs a `tool_result` block in the next (user) message, and a result must answer a call of the
message before. A planned call (`will_call`) is answered as a `tool_use` block with stop reason
`tool_use`, or streamed as content_block_start (id, name, empty input) and `input_json_delta`
fragments of the input.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.loopback import Recorded, Reply
from tests.fakes.vendor import PlannedCall, VendorFake, count_tokens, fragments, sse

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


_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")
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
        system = body.get("system", "")
        prompt = count_tokens([system, *(_text_of(m["content"]) for m in body["messages"])])
        if calls := self.calls_for(*_offered(body)):
            return self.tool_reply(body, calls, prompt)
        pieces, cut = self.pieces(body["max_tokens"])
        usage = {"input_tokens": prompt, "output_tokens": len(pieces)}
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
        problem = _tools_problem(body) or _history_problem(body["messages"])
        return (400, problem) if problem else None

    # --- tool calls ---------------------------------------------------------------

    def tool_reply(self, body: dict[str, Any], calls: list[PlannedCall], prompt: int) -> Reply:
        blocks = [_tool_use(index, call) for index, call in enumerate(calls)]
        usage = {"input_tokens": prompt, "output_tokens": count_tokens(c.arguments_json for c in calls)}
        if not body.get("stream"):
            return Reply(body=self.message(body["model"], blocks, "tool_use", usage))
        start = self.message(body["model"], [], None, {"input_tokens": prompt, "output_tokens": 1})
        frames = [sse({"type": "message_start", "message": start}, event="message_start")]
        first_text = None
        for index, (block, call) in enumerate(zip(blocks, calls, strict=True)):
            opened = {"type": "content_block_start", "index": index, "content_block": {**block, "input": {}}}
            frames.append(sse(opened, event="content_block_start"))
            first_text = len(frames) if first_text is None else first_text
            for piece in ["", *fragments(call.arguments_json)]:
                delta = {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "input_json_delta", "partial_json": piece},
                }
                frames.append(sse(delta, event="content_block_delta"))
            frames.append(sse({"type": "content_block_stop", "index": index}, event="content_block_stop"))
        frames += [
            sse(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "tool_use", "stop_sequence": None},
                    "usage": {"output_tokens": usage["output_tokens"]},
                },
                event="message_delta",
            ),
            sse({"type": "message_stop"}, event="message_stop"),
        ]
        return self.streamed(frames, first_text or 0)

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


def _text_of(content: str | list[dict[str, Any]]) -> str:
    if isinstance(content, str):
        return content
    texts = [block.get("text") or block.get("content") or "" for block in content]
    return " ".join(text for text in texts if isinstance(text, str))


def _tool_use(index: int, call: PlannedCall) -> dict[str, Any]:
    return {
        "type": "tool_use",
        "id": call.id or f"toolu_fake{index + 1:04d}",
        "name": call.name,
        "input": call.arguments,
    }


def _offered(body: dict[str, Any]) -> tuple[list[str], str]:
    names = [tool["name"] for tool in body.get("tools") or []]
    choice = body.get("tool_choice") or {"type": "auto" if names else "none"}
    mode = {"any": "required", "tool": choice.get("name", "")}.get(choice["type"], choice["type"])
    return names, mode


def _tools_problem(body: dict[str, Any]) -> str | None:
    tools = body.get("tools")
    if tools is None:
        return "tool_choice: may only be specified while providing tools" if "tool_choice" in body else None
    for index, tool in enumerate(tools):
        if not _TOOL_NAME.fullmatch(str(tool.get("name", ""))):
            return f"tools.{index}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            return f"tools.{index}.custom.input_schema.type: Input should be 'object'"
    choice = body.get("tool_choice", {"type": "auto"})
    if choice.get("type") not in ("auto", "any", "tool", "none"):
        return "tool_choice.type: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
    if choice["type"] == "tool" and choice.get("name") not in [tool["name"] for tool in tools]:
        return f"tool_choice.name: Tool '{choice.get('name')}' not found in provided tools"
    return None


def _history_problem(messages: list[dict[str, Any]]) -> str | None:
    """As the API refuses them: calls without results right after, results without their call."""
    called: set[str] = set()
    for index, message in enumerate(messages):
        blocks = message["content"] if isinstance(message["content"], list) else []
        answered = {block["tool_use_id"] for block in blocks if block.get("type") == "tool_result"}
        if stray := answered - called:
            return (
                f"messages.{index}.content: unexpected `tool_use_id` found in `tool_result` blocks: {stray.pop()}. "
                "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
            )
        if missing := called - answered:
            return (
                f"messages.{index}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                f"{missing.pop()}. Each `tool_use` block must have a corresponding `tool_result` block "
                "in the next message."
            )
        called = {block["id"] for block in blocks if block.get("type") == "tool_use"}
    return None
