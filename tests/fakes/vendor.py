"""What every vendor fake shares: a valid key, canned text, and switches tests flip.

    fake.fail(500, times=3)          the next three requests fail in the vendor's error shape
    fake.fail(429, retry_after="7")  ... with a Retry-After header
    fake.slow(1.0)                   every answer waits a second first (timeouts)
    fake.hold_stream(); fake.release()  a stream stops after its first text until released
    fake.break_stream("error"|"cut") a stream fails after its first text
    fake.will_call("get_weather", {"city": "Oslo"})  answer with this tool call (the model's
                                     choice) when the request offers that tool and allows calls

Subclasses speak one vendor's paths, headers, JSON and SSE, tool calls included.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from tests.fakes.loopback import LoopbackServer, Recorded, Reply

__all__ = ["VendorFake", "PlannedCall", "sse", "count_tokens", "fragments"]

DEFAULT_MESSAGES = {
    400: "The request was not valid.",
    401: "The key was not accepted.",
    403: "This key may not do that.",
    404: "Not found.",
    429: "Too many requests; slow down.",
    500: "The server had an error while processing your request.",
    503: "The service is overloaded.",
}


def sse(data: Any, *, event: str | None = None, newline: str = "\n") -> bytes:
    """One server-sent event; `data` that is not a string is sent as JSON."""
    payload = data if isinstance(data, str) else json.dumps(data)
    lines = ([f"event: {event}"] if event else []) + [f"data: {payload}"]
    return (newline.join(lines) + newline + newline).encode()


def count_tokens(texts: Iterable[str | None]) -> int:
    """The fakes' tokenizer: one token per word."""
    return sum(len((text or "").split()) for text in texts)


def fragments(text: str, size: int = 4) -> list[str]:
    """`text` in the small pieces a vendor streams a tool call's arguments in."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


@dataclass(frozen=True)
class PlannedCall:
    """A tool call the fake's "model" makes when the request lets it."""

    name: str
    arguments: dict[str, Any]
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments)


class VendorFake:
    key = "test-key"
    text = "Hello from the fake vendor, streamed word by word."
    models: tuple[str, ...] = ()
    base_path = ""  # what the provider's base URL adds to the server's address
    provider = ""  # the Atom provider whose official server this fake stands in for (tests.fakes.stand_ins)
    running: ClassVar[list[VendorFake]] = []  # entered and not yet exited, oldest first

    def __init__(self) -> None:
        self.server = LoopbackServer(self._answer)
        self._queued: list[Reply] = []
        self._delay = 0.0
        self._hold = False
        self._break: Literal["error", "cut"] | None = None
        self.planned: list[PlannedCall] = []

    def __enter__(self) -> VendorFake:
        self.server.start()
        VendorFake.running.append(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self in VendorFake.running:
            VendorFake.running.remove(self)
        self.server.stop()

    @property
    def base_url(self) -> str:
        return self.server.url + self.base_path

    @property
    def requests(self) -> list[Recorded]:
        return self.server.requests

    @property
    def last(self) -> Recorded:
        return self.server.requests[-1]

    # --- switches ---------------------------------------------------------------

    def fail(self, status: int, *, times: int = 1, message: str | None = None, retry_after: str | None = None) -> None:
        for _ in range(times):
            self._queued.append(self.error(status, message or DEFAULT_MESSAGES.get(status, "error"), retry_after))

    def slow(self, seconds: float) -> None:
        self._delay = seconds

    def hold_stream(self) -> None:
        self._hold = True

    def release(self) -> None:
        self.server.release()

    @property
    def holding(self) -> bool:
        return self.server.holding.is_set()

    def break_stream(self, how: Literal["error", "cut"]) -> None:
        self._break = how

    def will_call(self, name: str, arguments: dict[str, Any], *, call_id: str | None = None) -> None:
        self.planned.append(PlannedCall(name, arguments, call_id))

    def calls_for(self, offered: list[str], choice: str) -> list[PlannedCall]:
        """The planned calls this request allows: `choice` is "auto", "none", "required" or a tool's name."""
        if choice == "none":
            return []
        allowed = [name for name in offered if choice in ("auto", "required", name)]
        return [call for call in self.planned if call.name in allowed]

    # --- for subclasses -----------------------------------------------------------

    def route(self, request: Recorded) -> Reply:
        raise NotImplementedError

    def error(self, status: int, message: str, retry_after: str | None = None) -> Reply:
        raise NotImplementedError

    def stream_error_frame(self) -> bytes:
        raise NotImplementedError

    def pieces(self, limit: int | None) -> tuple[list[str], bool]:
        """The reply text in streamed pieces (a word each), cut to `limit`; and whether it was cut."""
        words = re.findall(r"\S+\s*", self.text)
        cut = limit is not None and limit < len(words)
        return (words[:limit] if cut else words), cut

    def streamed(self, frames: list[bytes], first_text: int) -> Reply:
        """A stream reply with the test's switches applied after the first text frame."""
        after = first_text + 1
        if self._break == "error":
            frames = frames[:after] + [self.stream_error_frame()]
        cut_after = after if self._break == "cut" else None
        return Reply(frames=frames, hold_after=after if self._hold else None, cut_after=cut_after)

    def _answer(self, request: Recorded) -> Reply:
        reply = self._queued.pop(0) if self._queued else self.route(request)
        reply.delay = self._delay
        return reply
