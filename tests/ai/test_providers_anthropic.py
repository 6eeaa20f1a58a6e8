"""Anthropic: what goes over the wire to the Messages API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import ChatProvider
from appliance.ai.providers.registry import create_provider
from appliance.errors import ProviderUnavailable
from tests.ai.helpers import FakeSleep, chat, collect, config_for
from tests.fakes import FakeAnthropic

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as running:
        yield running


@pytest.fixture
async def anthropic(fake: FakeAnthropic, retry: RetryPolicy) -> AsyncIterator[ChatProvider]:
    provider = create_provider(config_for("anthropic", fake), retry=retry)
    yield provider
    await provider.aclose()


async def test_the_system_prompt_moves_to_the_top_level_system_field(
    fake: FakeAnthropic, anthropic: ChatProvider
) -> None:
    request = chat(
        "claude-haiku-4-5",
        "Hi",
        "Hello!",
        "Tell me a joke",
        system="Be brief.",
        max_tokens=50,
        temperature=0.3,
        stop=["END"],
    )
    await anthropic.complete(request)
    sent = fake.last
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == fake.key and sent.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in sent.headers
    assert sent.body == {
        "model": "claude-haiku-4-5",
        "max_tokens": 50,
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Tell me a joke"},
        ],
        "system": "Be brief.",
        "temperature": 0.3,
        "stop_sequences": ["END"],
    }


async def test_max_tokens_is_always_sent_and_system_prompts_are_joined(
    fake: FakeAnthropic, anthropic: ChatProvider
) -> None:
    request = chat("claude-haiku-4-5", "Hi", system="Be brief.")
    request.messages.insert(1, type(request.messages[0])(role="system", content="Speak French."))
    await anthropic.complete(request)
    assert fake.last.body["max_tokens"] == 4096
    assert fake.last.body["system"] == "Be brief.\n\nSpeak French."


async def test_a_stream_is_asked_for_with_stream_true(fake: FakeAnthropic, anthropic: ChatProvider) -> None:
    chunks = await collect(anthropic.stream(chat("claude-sonnet-4-5", "Hi")))
    assert fake.last.body["stream"] is True
    assert "".join(c.text for c in chunks) == fake.text


async def test_models_are_listed_from_v1_models(fake: FakeAnthropic, anthropic: ChatProvider) -> None:
    assert await anthropic.list_models() == ["claude-haiku-4-5", "claude-sonnet-4-5"]
    assert (fake.last.method, fake.last.path, fake.last.query) == ("GET", "/v1/models", {"limit": "1000"})


async def test_overloaded_529_is_retried_then_unavailable(
    fake: FakeAnthropic, anthropic: ChatProvider, sleep: FakeSleep
) -> None:
    fake.fail(529, times=3, message="Overloaded")
    with pytest.raises(ProviderUnavailable, match=r"unavailable: .* \(HTTP 529\)"):
        await anthropic.complete(chat("claude-haiku-4-5", "Hi"))
    assert len(fake.requests) == 3 and sleep.waits == [0.5, 1.0]
