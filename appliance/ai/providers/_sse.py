"""Server-sent events (the `text/event-stream` format), read from lines as they arrive.

Only what the vendors use: `event:` names, `data:` lines (joined with newlines when an
event has several), `:` comments (keep-alives) skipped, a blank line ends an event.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable

import msgspec

__all__ = ["SseEvent", "sse_events"]


class SseEvent(msgspec.Struct, frozen=True):
    event: str
    data: str


async def sse_events(lines: AsyncIterable[str]) -> AsyncGenerator[SseEvent, None]:
    event, data = "", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield SseEvent(event or "message", "\n".join(data))
            event, data = "", list[str]()
            continue
        field, value = _split(line)
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data:  # some servers end the body without the final blank line
        yield SseEvent(event or "message", "\n".join(data))


def _split(line: str) -> tuple[str, str]:
    """`field: value` -> (field, value); a comment line gives an empty field."""
    if line.startswith(":"):
        return "", ""
    field, _, value = line.partition(":")
    return field, value[1:] if value.startswith(" ") else value
