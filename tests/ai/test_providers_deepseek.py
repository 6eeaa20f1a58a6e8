"""DeepSeek: Chat Completions at the root of its address, with `max_tokens`."""

from __future__ import annotations

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.registry import create_provider
from tests.ai.helpers import chat, collect, config_for
from tests.fakes import FakeDeepSeek

pytestmark = pytest.mark.anyio


async def test_chat_is_posted_to_chat_completions_with_max_tokens(retry: RetryPolicy) -> None:
    with FakeDeepSeek() as fake:
        deepseek = create_provider(config_for("deepseek", fake), retry=retry)
        await deepseek.complete(chat("deepseek-chat", "Hi", system="Be brief.", max_tokens=50))
        await deepseek.aclose()
    assert (fake.last.method, fake.last.path) == ("POST", "/chat/completions")
    assert fake.last.headers["authorization"] == f"Bearer {fake.key}"
    assert fake.last.body["max_tokens"] == 50 and "max_completion_tokens" not in fake.last.body


async def test_keep_alive_comments_in_a_stream_are_skipped(retry: RetryPolicy) -> None:
    with FakeDeepSeek() as fake:  # its streams open with ": keep-alive"
        deepseek = create_provider(config_for("deepseek", fake), retry=retry)
        chunks = await collect(deepseek.stream(chat("deepseek-reasoner", "Hi")))
        await deepseek.aclose()
    assert "".join(c.text for c in chunks) == fake.text
