"""Small helpers for the AI tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol
from urllib.parse import urlsplit

from appliance.ai.outbound import Targets
from appliance.ai.providers.base import ChatChunk, ChatMessage, ChatRequest, ProviderConfig

__all__ = ["FakeSleep", "chat", "collect", "config_for", "standing_in"]


class FakeSleep:
    """Stands in for asyncio.sleep in RetryPolicy: records each wait, returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def chat(model: str, *texts: str, system: str | None = None, **options: object) -> ChatRequest:
    """A request: an optional system prompt, then user and assistant turns alternating."""
    turns = [ChatMessage(role="system", content=system)] if system else []
    turns += [ChatMessage(role="user" if i % 2 == 0 else "assistant", content=t) for i, t in enumerate(texts)]
    return ChatRequest(model=model, messages=turns, **options)  # type: ignore[arg-type]


async def collect(chunks: AsyncIterator[ChatChunk]) -> list[ChatChunk]:
    return [chunk async for chunk in chunks]


class Addressed(Protocol):
    """A fake server: where it listens and the key it accepts."""

    @property
    def key(self) -> str | None: ...

    @property
    def base_url(self) -> str: ...


def config_for(kind: str, fake: Addressed, **changes: object) -> ProviderConfig:
    """A config pointing provider `kind` at `fake`, with its valid key unless `changes` say otherwise;
    the fake stands in for a server on the internet, so Atom's outbound checks let it through."""
    values: dict[str, object] = {
        "kind": kind,
        "api_key": fake.key,
        "base_url": fake.base_url,
        "timeout_seconds": 5.0,
        "targets": standing_in(fake.base_url),
    }
    return ProviderConfig(**(values | changes))  # type: ignore[arg-type]


def standing_in(url: str) -> Targets:
    """Targets that let a member's key reach the loopback server at `url`, and nothing else local."""
    parts = urlsplit(url)
    return Targets(trusted=frozenset({(str(parts.hostname), int(parts.port or 80))}))
