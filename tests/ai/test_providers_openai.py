"""OpenAI: what goes over the wire to the Chat Completions API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import ChatProvider
from appliance.ai.providers.registry import create_provider
from tests.ai.helpers import chat, collect, config_for
from tests.fakes import FakeOpenAI

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as running:
        yield running


@pytest.fixture
async def openai(fake: FakeOpenAI, retry: RetryPolicy) -> AsyncIterator[ChatProvider]:
    provider = create_provider(config_for("openai", fake), retry=retry)
    yield provider
    await provider.aclose()


async def test_chat_is_posted_to_v1_chat_completions_with_a_bearer_key(fake: FakeOpenAI, openai: ChatProvider) -> None:
    await openai.complete(chat("gpt-5-mini", "Hi", system="Be brief.", max_tokens=50, temperature=0.2, stop=["\n\n"]))
    sent = fake.last
    assert (sent.method, sent.path) == ("POST", "/v1/chat/completions")
    assert sent.headers["authorization"] == f"Bearer {fake.key}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.body == {
        "model": "gpt-5-mini",
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        "max_completion_tokens": 50,  # reasoning models refuse max_tokens
        "temperature": 0.2,
        "stop": ["\n\n"],
    }


async def test_settings_left_unset_are_left_out(fake: FakeOpenAI, openai: ChatProvider) -> None:
    await openai.complete(chat("gpt-4o-mini", "Hi"))
    assert set(fake.last.body) == {"model", "messages"}


async def test_a_stream_asks_for_usage_in_its_last_chunk(fake: FakeOpenAI, openai: ChatProvider) -> None:
    chunks = await collect(openai.stream(chat("gpt-4o-mini", "Hi")))
    assert fake.last.body["stream"] is True
    assert fake.last.body["stream_options"] == {"include_usage": True}
    assert chunks[-1].usage is not None and chunks[-1].usage.output_tokens > 0


async def test_models_are_listed_from_v1_models(fake: FakeOpenAI, openai: ChatProvider) -> None:
    assert await openai.list_models() == ["gpt-4o-mini", "gpt-5-mini"]
    assert (fake.last.method, fake.last.path) == ("GET", "/v1/models")
    assert fake.last.headers["authorization"] == f"Bearer {fake.key}"
