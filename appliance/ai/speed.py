"""How fast the box's own model answers: time to first token and tokens per second.

The local provider records each reply here; `/metrics` reads the recent ones. Kept in memory
for the whole process, as the loaded models are: a restart starts the figures afresh.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import msgspec

__all__ = ["ModelSpeed", "SpeedLog", "ReplyTimer", "local_speed"]

_RECENT = 20


class ModelSpeed(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    replies: int  # since the process started
    first_token_seconds: float  # mean over the recent replies: from the request to its first text
    tokens_per_second: float | None  # mean over the recent replies long enough to tell


class _Reply(msgspec.Struct, frozen=True):
    first_token_seconds: float
    tokens_per_second: float | None


class SpeedLog:
    def __init__(self, recent: int = _RECENT) -> None:
        self._recent = recent
        self._replies: dict[str, deque[_Reply]] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def record(self, model: str, first_token_seconds: float, tokens_per_second: float | None) -> None:
        with self._lock:
            self._replies.setdefault(model, deque(maxlen=self._recent)).append(
                _Reply(first_token_seconds, tokens_per_second)
            )
            self._counts[model] = self._counts.get(model, 0) + 1

    def summary(self) -> list[ModelSpeed]:
        with self._lock:
            return [_summarise(model, list(replies), self._counts[model]) for model, replies in self._replies.items()]


class ReplyTimer:
    """Times one streamed reply: started on the request, told of each piece of text, then done."""

    def __init__(self, log: SpeedLog, model: str) -> None:
        self._log, self._model = log, model
        self._started = time.perf_counter()
        self._first: float | None = None
        self._last, self._pieces = 0.0, 0

    def text(self) -> None:
        now = time.perf_counter()
        self._first = now if self._first is None else self._first
        self._last, self._pieces = now, self._pieces + 1

    def done(self) -> None:
        """Record the reply, if any text came (a tool call or a cancelled wait tells nothing of speed)."""
        if self._first is None:
            return
        span = self._last - self._first
        rate = (self._pieces - 1) / span if self._pieces > 1 and span > 0 else None  # tokens after the first
        self._log.record(self._model, self._first - self._started, rate)


def _summarise(model: str, replies: list[_Reply], count: int) -> ModelSpeed:
    rates = [r.tokens_per_second for r in replies if r.tokens_per_second is not None]
    return ModelSpeed(
        model=model,
        replies=count,
        first_token_seconds=sum(r.first_token_seconds for r in replies) / len(replies),
        tokens_per_second=sum(rates) / len(rates) if rates else None,
    )


local_speed = SpeedLog()  # the box's model, recorded by the local provider
