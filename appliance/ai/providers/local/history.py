"""Fit a conversation into the model's context window by dropping its oldest turns."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from appliance.ai.providers.base import ChatMessage
from appliance.errors import ProviderRequestError

__all__ = ["FittedPrompt", "fit_history", "MIN_REPLY_TOKENS"]

MIN_REPLY_TOKENS = 16  # below this a reply is useless: refuse rather than answer with a stub
# Old turns are dropped this many at a time, so the prompt's start stays the same for several
# turns and llama.cpp reuses its cache instead of reading the whole window again each turn.
DROP_BLOCK = 4

Encode = Callable[[list[ChatMessage]], list[int]]


class FittedPrompt(msgspec.Struct, frozen=True, kw_only=True):
    messages: list[ChatMessage]
    tokens: list[int]
    max_tokens: int  # what still fits after the prompt, at most what was asked for
    dropped: int  # how many old messages were left out


def fit_history(messages: list[ChatMessage], encode: Encode, n_ctx: int, max_tokens: int) -> FittedPrompt:
    """Drop the oldest non-system messages until prompt + max_tokens fits in `n_ctx`.

    System messages and the last message always stay; if those alone leave too little room,
    max_tokens shrinks, and when not even MIN_REPLY_TOKENS fit the request is refused.
    """
    trimmings = _trimmings(messages)
    encoded: dict[int, list[int]] = {}

    def prompt(k: int) -> list[int]:
        if k not in encoded:
            encoded[k] = encode(trimmings[k])
        return encoded[k]

    # Each trimming is shorter than the one before, so the first that fits is found by bisection.
    steps = [*range(0, len(trimmings) - 1, DROP_BLOCK), len(trimmings) - 1]
    i = _first(lambda i: len(prompt(steps[i])) + max_tokens <= n_ctx, len(steps))
    if i < len(steps):
        k = steps[i]
        return _fitted(trimmings[k], prompt(k), max_tokens, messages)
    shortest = len(trimmings) - 1
    room = n_ctx - len(prompt(shortest))
    if room < MIN_REPLY_TOKENS:
        raise ProviderRequestError(
            "this message is too long for the model on this box (it reads about "
            f"{n_ctx * 3 // 4} words at once, Atom's own instructions included): shorten it, or pick a cloud "
            "model in the Model menu",
            provider="local",
        )
    return _fitted(trimmings[shortest], prompt(shortest), room, messages)


def _trimmings(messages: list[ChatMessage]) -> list[list[ChatMessage]]:
    """The conversation, then with its oldest turn dropped, then two, ... down to what must stay."""
    kept = list(messages)
    trimmings = [list(kept)]
    while _drop_oldest_turn(kept):
        trimmings.append(list(kept))
    return trimmings


def _first(predicate: Callable[[int], bool], count: int) -> int:
    """The smallest k in [0, count) where `predicate` holds (it holds for every k after), else count."""
    low, high = 0, count
    while low < high:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle + 1
    return low


def _drop_oldest_turn(kept: list[ChatMessage]) -> bool:
    """Remove the oldest droppable message, and any assistant reply it leaves at the front.

    Chat templates expect the history after the system prompt to start with a user turn.
    """
    droppable = [i for i, m in enumerate(kept[:-1]) if m.role != "system"]
    if not droppable:
        return False
    del kept[droppable[0]]
    while (first := _first_turn(kept)) is not None and kept[first].role == "assistant" and first < len(kept) - 1:
        del kept[first]
    return True


def _first_turn(kept: list[ChatMessage]) -> int | None:
    return next((i for i, m in enumerate(kept) if m.role != "system"), None)


def _fitted(kept: list[ChatMessage], tokens: list[int], max_tokens: int, original: list[ChatMessage]) -> FittedPrompt:
    return FittedPrompt(messages=kept, tokens=tokens, max_tokens=max_tokens, dropped=len(original) - len(kept))
