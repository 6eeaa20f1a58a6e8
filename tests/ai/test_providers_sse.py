"""Server-sent events are read the way the vendors write them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from appliance.ai.providers._sse import SseEvent, sse_events

pytestmark = pytest.mark.anyio


async def lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


async def read(*items: str) -> list[SseEvent]:
    return [event async for event in sse_events(lines(*items))]


async def test_data_only_events_are_messages() -> None:
    assert await read('data: {"a": 1}', "", "data: [DONE]", "") == [
        SseEvent("message", '{"a": 1}'),
        SseEvent("message", "[DONE]"),
    ]


async def test_named_events_keep_their_name() -> None:
    events = await read("event: message_stop", 'data: {"type": "message_stop"}', "")
    assert events == [SseEvent("message_stop", '{"type": "message_stop"}')]


async def test_several_data_lines_are_joined_with_newlines() -> None:
    assert await read("data: one", "data: two", "") == [SseEvent("message", "one\ntwo")]


async def test_comments_ids_and_retry_lines_are_skipped() -> None:
    events = await read(": keep-alive", "", "id: 7", "retry: 100", "data:no-space", "")
    assert events == [SseEvent("message", "no-space")]


async def test_a_blank_line_without_data_sends_nothing_and_resets_the_name() -> None:
    assert await read("event: ping", "", "data: x", "") == [SseEvent("message", "x")]


async def test_an_event_cut_short_by_the_end_of_the_body_is_still_read() -> None:
    assert await read("data: last") == [SseEvent("message", "last")]
