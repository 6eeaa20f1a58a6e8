"""Fitting a conversation into the context window, with a stand-in tokenizer (one token per word)."""

from __future__ import annotations

import pytest

from appliance.ai.providers.base import ChatMessage, Role
from appliance.ai.providers.local.history import MIN_REPLY_TOKENS, fit_history
from appliance.errors import ProviderRequestError


def words(messages: list[ChatMessage]) -> list[int]:
    return [0 for m in messages for _ in m.content.split()]


def turns(count: int, size: int = 10) -> list[ChatMessage]:
    roles: tuple[Role, Role] = ("user", "assistant")
    return [ChatMessage(role=roles[i % 2], content=" ".join([f"t{i}"] * size)) for i in range(count)]


SYSTEM = ChatMessage(role="system", content="be brief " * 5)


def test_a_conversation_that_fits_is_untouched() -> None:
    history = [SYSTEM, *turns(5)]
    fitted = fit_history(history, words, n_ctx=100, max_tokens=20)
    assert fitted.messages == history and fitted.dropped == 0
    assert len(fitted.tokens) == 60 and fitted.max_tokens == 20


def test_the_oldest_turns_go_first_and_the_system_prompt_stays() -> None:
    history = [SYSTEM, *turns(21)]  # 10 + 210 tokens
    fitted = fit_history(history, words, n_ctx=100, max_tokens=20)
    kept = fitted.messages[1:]
    assert fitted.messages[0] == SYSTEM
    assert kept == history[-len(kept) :]  # the newest turns, starting with a user turn
    assert kept[0].role == "user" and 3 <= len(kept) <= 7  # 7 would fit; old turns go a block at a time
    assert len(fitted.tokens) + fitted.max_tokens <= 100


def test_the_kept_history_starts_at_the_same_turn_for_several_turns() -> None:
    """So llama.cpp finds the same prompt start and reuses its cache instead of rereading the window."""
    starts = []
    for length in range(15, 41, 2):  # a conversation growing a question and an answer at a time
        fitted = fit_history([SYSTEM, *turns(length)], words, n_ctx=200, max_tokens=20)
        starts.append(fitted.messages[1].content)
    changes = sum(1 for before, after in zip(starts, starts[1:], strict=False) if before != after)
    assert changes <= len(starts) // 2  # turn by turn trimming would change the start every time


def test_the_history_never_starts_with_an_assistant_turn() -> None:
    history = [SYSTEM, *turns(6)]  # user, assistant, ... , assistant
    fitted = fit_history([*history, ChatMessage(role="user", content="last")], words, n_ctx=50, max_tokens=10)
    assert [m.role for m in fitted.messages][:2] == ["system", "user"]


def test_when_only_the_last_message_is_left_the_reply_budget_shrinks() -> None:
    question = ChatMessage(role="user", content="word " * 80)
    fitted = fit_history([SYSTEM, *turns(4), question], words, n_ctx=120, max_tokens=100)
    assert fitted.messages == [SYSTEM, question]
    assert fitted.max_tokens == 120 - 90  # 10 system + 80 question tokens


def test_a_message_too_long_for_the_window_is_refused() -> None:
    question = ChatMessage(role="user", content="word " * (128 - MIN_REPLY_TOKENS + 1))
    with pytest.raises(
        ProviderRequestError,
        match=r"too long for the model on this box \(it reads about 96 words.*shorten it, or pick a cloud model",
    ):
        fit_history([question], words, n_ctx=128, max_tokens=100)


def test_bisection_tokenizes_a_long_history_only_a_few_times() -> None:
    calls = []

    def counting(messages: list[ChatMessage]) -> list[int]:
        calls.append(len(messages))
        return words(messages)

    fit_history([SYSTEM, *turns(401)], counting, n_ctx=200, max_tokens=20)
    assert len(calls) <= 12
