"""Azure OpenAI: deployments in the path, `api-version` in the query, `api-key` in a header."""

from __future__ import annotations

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.registry import create_provider
from appliance.errors import RateLimited
from tests.ai.helpers import chat, collect, config_for
from tests.fakes import FakeAzureOpenAI

pytestmark = pytest.mark.anyio


async def run(fake: FakeAzureOpenAI, retry: RetryPolicy, model: str, **options: str) -> None:
    azure = create_provider(config_for("azure_openai", fake, options=options), retry=retry)
    await azure.complete(chat(model, "Hi", system="Be brief.", max_tokens=40))
    await azure.aclose()


async def test_chat_goes_to_the_deployment_with_the_api_version_and_key_header(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        await run(fake, retry, "gpt-4o", deployment="family-chat")
    sent = fake.last
    assert (sent.method, sent.path) == ("POST", "/openai/deployments/family-chat/chat/completions")
    assert sent.query == {"api-version": "2024-10-21"}
    assert sent.headers["api-key"] == fake.key and "authorization" not in sent.headers
    assert sent.body["max_tokens"] == 40  # the GA API version knows only max_tokens
    assert sent.body["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_without_a_deployment_option_the_model_names_the_deployment(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        await run(fake, retry, "gpt-4o-mini")
    assert fake.last.path == "/openai/deployments/gpt-4o-mini/chat/completions"


async def test_a_newer_api_version_is_sent_and_takes_max_completion_tokens(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        await run(fake, retry, "gpt-4o-mini", api_version="2025-04-01-preview")
    assert fake.last.query == {"api-version": "2025-04-01-preview"}
    assert fake.last.body["max_completion_tokens"] == 40 and "max_tokens" not in fake.last.body


async def test_a_stream_opening_with_prompt_filter_results_reads_cleanly(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        azure = create_provider(config_for("azure_openai", fake), retry=retry)
        chunks = await collect(azure.stream(chat("gpt-4o-mini", "Hi")))
        await azure.aclose()
    assert "".join(c.text for c in chunks) == fake.text
    assert fake.last.body["stream_options"] == {"include_usage": True}


async def test_models_are_listed_from_the_resource(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        azure = create_provider(config_for("azure_openai", fake), retry=retry)
        assert await azure.list_models() == ["gpt-4o-mini", "gpt-4o"]
        await azure.aclose()
    assert (fake.last.method, fake.last.path, fake.last.query) == (
        "GET",
        "/openai/models",
        {"api-version": "2024-10-21"},
    )


async def test_retry_after_ms_gives_the_exact_wait(retry: RetryPolicy) -> None:
    with FakeAzureOpenAI() as fake:
        fake.fail(429, retry_after="2.5")  # Retry-After: 3, retry-after-ms: 2500
        azure = create_provider(config_for("azure_openai", fake), retry=retry)
        with pytest.raises(RateLimited) as caught:
            await azure.list_models()
        await azure.aclose()
    assert caught.value.retry_after == 2.5
