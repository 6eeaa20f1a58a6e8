"""Gemini: what goes over the wire to generateContent and streamGenerateContent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import ChatProvider
from appliance.ai.providers.registry import create_provider
from appliance.errors import KeyRejected, RateLimited
from tests.ai.helpers import chat, collect, config_for
from tests.fakes import FakeGemini

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with FakeGemini() as running:
        yield running


@pytest.fixture
async def gemini(fake: FakeGemini, retry: RetryPolicy) -> AsyncIterator[ChatProvider]:
    provider = create_provider(config_for("gemini", fake), retry=retry)
    yield provider
    await provider.aclose()


async def test_turns_become_contents_and_the_system_prompt_a_system_instruction(
    fake: FakeGemini, gemini: ChatProvider
) -> None:
    request = chat(
        "gemini-2.5-flash", "Hi", "Hello!", "A joke?", system="Be brief.", max_tokens=50, temperature=0.3, stop=["END"]
    )
    await gemini.complete(request)
    sent = fake.last
    assert (sent.method, sent.path) == ("POST", "/v1beta/models/gemini-2.5-flash:generateContent")
    assert sent.headers["x-goog-api-key"] == fake.key and "key" not in sent.query  # never in the URL
    assert sent.body == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hi"}]},
            {"role": "model", "parts": [{"text": "Hello!"}]},
            {"role": "user", "parts": [{"text": "A joke?"}]},
        ],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"maxOutputTokens": 50, "temperature": 0.3, "stopSequences": ["END"]},
    }


async def test_a_plain_request_sends_only_contents(fake: FakeGemini, gemini: ChatProvider) -> None:
    await gemini.complete(chat("models/gemini-2.5-pro", "Hi"))
    assert fake.last.path == "/v1beta/models/gemini-2.5-pro:generateContent"
    assert set(fake.last.body) == {"contents"}


async def test_a_stream_uses_stream_generate_content_as_sse(fake: FakeGemini, gemini: ChatProvider) -> None:
    chunks = await collect(gemini.stream(chat("gemini-2.5-flash", "Hi")))
    assert fake.last.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    assert fake.last.query == {"alt": "sse"}
    assert "".join(c.text for c in chunks) == fake.text


async def test_thinking_is_billed_as_output_but_never_shown(fake: FakeGemini, gemini: ChatProvider) -> None:
    fake.thoughts = "Let me think about greetings first."  # six tokens of reasoning
    result = await gemini.complete(chat("gemini-2.5-pro", "Hi"))
    chunks = await collect(gemini.stream(chat("gemini-2.5-pro", "Hi")))
    assert result.text == fake.text == "".join(c.text for c in chunks)
    words = len(fake.text.split())
    assert result.usage.output_tokens == words + 6
    assert chunks[-1].usage is not None and chunks[-1].usage.output_tokens == words + 6


async def test_a_bad_key_is_a_400_that_still_reads_key_rejected(fake: FakeGemini, retry: RetryPolicy) -> None:
    gemini = create_provider(config_for("gemini", fake, api_key="AIza-not-a-key"), retry=retry)
    with pytest.raises(KeyRejected, match=r"key rejected: the server refused the key \(HTTP 400\)"):
        await gemini.complete(chat("gemini-2.5-flash", "Hi"))
    await gemini.aclose()


async def test_a_429_takes_its_wait_from_retry_info(fake: FakeGemini, gemini: ChatProvider) -> None:
    fake.fail(429, retry_after="37")  # no header: {"@type": "...RetryInfo", "retryDelay": "37s"}
    with pytest.raises(RateLimited) as caught:
        await gemini.complete(chat("gemini-2.5-flash", "Hi"))
    assert caught.value.retry_after == 37.0


async def test_only_models_that_generate_content_are_listed(fake: FakeGemini, gemini: ChatProvider) -> None:
    assert await gemini.list_models() == ["gemini-2.5-flash", "gemini-2.5-pro"]
    assert (fake.last.method, fake.last.path) == ("GET", "/v1beta/models")
