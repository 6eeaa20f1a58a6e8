"""Reading Wyoming events with limits (the `wyoming` package's reader trusts the lengths a client
sends, so a stranger could make the server wait for, and hold, gigabytes). Writing is its own."""

from __future__ import annotations

import asyncio
import json

from wyoming.event import Event, async_write_event

__all__ = ["read_event", "write_event", "LINE_LIMIT", "FramingError"]

LINE_LIMIT = 64 * 1024  # the JSON header line (the StreamReader's limit)
DATA_LIMIT = 64 * 1024
PAYLOAD_LIMIT = 512 * 1024  # an audio chunk; ~16 s of 16 kHz mono 16-bit at most


class FramingError(Exception):
    """The peer sent something that is not a Wyoming event within Atom's limits."""


async def read_event(reader: asyncio.StreamReader) -> Event | None:
    """The next event, None at end of stream; FramingError for a malformed or oversized one."""
    try:
        line = await reader.readline()
    except (ValueError, asyncio.LimitOverrunError):
        raise FramingError("header line too long") from None
    if not line:
        return None
    header = _json_object(line)
    data = header.get("data") or {}
    if not isinstance(data, dict):
        raise FramingError("data must be an object")
    data_length = _length(header, "data_length", DATA_LIMIT)
    if data_length:
        data.update(_json_object(await reader.readexactly(data_length)))
    payload_length = _length(header, "payload_length", PAYLOAD_LIMIT)
    payload = await reader.readexactly(payload_length) if payload_length else None
    kind = header.get("type")
    if not isinstance(kind, str) or not kind or len(kind) > 64:
        raise FramingError("an event needs a type")
    return Event(type=kind, data=data, payload=payload)


async def write_event(event: Event, writer: asyncio.StreamWriter) -> None:
    await async_write_event(event, writer)


def _json_object(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FramingError("not JSON") from None
    if not isinstance(value, dict):
        raise FramingError("not a JSON object")
    return value


def _length(header: dict, key: str, limit: int) -> int:
    value = header.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise FramingError(f"{key} must be a whole number up to {limit}")
    return value
