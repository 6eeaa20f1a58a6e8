"""Every cloud provider, against a loopback fake of its vendor's API, keeps the same promises:
replies with usage, streams as text arrives, lists models, and fails in the ways the router
understands (key rejected, rate limited, unavailable after retries, request refused)."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import pytest

import tests.fakes
from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import ChatProvider, ProviderConfig
from appliance.ai.providers.registry import create_provider, manifest, manifests
from appliance.errors import KeyRejected, ProviderRequestError, ProviderUnavailable, RateLimited
from tests.ai.helpers import FakeSleep, chat, collect, config_for
from tests.fakes import FakeAnthropic, FakeAzureOpenAI, FakeDeepSeek, FakeGemini, FakeLanServer, FakeOpenAI, VendorFake
from tests.fakes.vendor import count_tokens

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Vendor:
    kind: str
    fake: type[VendorFake]
    model: str
    refusal: str  # what the vendor says about a model it does not have
    options: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.kind


VENDORS = [
    Vendor("openai", FakeOpenAI, "gpt-5-mini", "does not exist"),
    Vendor("azure_openai", FakeAzureOpenAI, "gpt-4o-mini", "deployment for this resource does not exist"),
    Vendor("anthropic", FakeAnthropic, "claude-haiku-4-5", "model: no-such-model"),
    Vendor("gemini", FakeGemini, "gemini-2.5-flash", "models/no-such-model is not found"),
    Vendor("deepseek", FakeDeepSeek, "deepseek-chat", "does not exist"),
    Vendor("openai_compatible", FakeLanServer, "llama3.2:3b", "does not exist"),
]
SYSTEM, QUESTION = "Answer briefly.", "What is the capital of France?"
PROMPT_TOKENS = count_tokens([SYSTEM, QUESTION])


@pytest.fixture(params=VENDORS, ids=str)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return request.param


@pytest.fixture
def fake(vendor: Vendor) -> Iterator[VendorFake]:
    with vendor.fake() as running:
        yield running


def config(vendor: Vendor, fake: VendorFake, **changes: object) -> ProviderConfig:
    return config_for(vendor.kind, fake, **({"options": vendor.options} | changes))


@pytest.fixture
async def provider(vendor: Vendor, fake: VendorFake, retry: RetryPolicy) -> AsyncIterator[ChatProvider]:
    made = create_provider(config(vendor, fake), retry=retry)
    yield made
    await made.aclose()


async def test_complete_returns_the_text_its_usage_and_why_it_stopped(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider
) -> None:
    result = await provider.complete(chat(vendor.model, QUESTION, system=SYSTEM))
    assert result.text == fake.text
    assert result.usage.input_tokens == PROMPT_TOKENS
    assert result.usage.output_tokens == len(fake.text.split())
    assert result.finish_reason == "stop"


async def test_a_token_limit_cuts_the_reply_and_says_length(vendor: Vendor, provider: ChatProvider) -> None:
    result = await provider.complete(chat(vendor.model, QUESTION, max_tokens=3))
    assert result.text == "Hello from the "
    assert (result.usage.output_tokens, result.finish_reason) == (3, "length")


async def test_stream_yields_text_as_it_arrives_then_usage(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider
) -> None:
    fake.hold_stream()  # the fake sends the first word, then holds the rest for 5 s or until released
    chunks = provider.stream(chat(vendor.model, QUESTION, system=SYSTEM))
    with anyio.fail_after(3):
        first = await anext(chunks)
    assert first.text == "Hello "
    fake.release()
    rest = await collect(chunks)
    assert first.text + "".join(c.text for c in rest) == fake.text
    final = rest[-1]
    assert final.text == "" and final.finish_reason == "stop"
    assert final.usage is not None
    assert (final.usage.input_tokens, final.usage.output_tokens) == (PROMPT_TOKENS, len(fake.text.split()))
    assert all(c.usage is None for c in [first, *rest[:-1]])


async def test_list_models_is_the_live_list(fake: VendorFake, provider: ChatProvider) -> None:
    assert await provider.list_models() == list(fake.models)


async def _rejected(
    vendor: Vendor, fake: VendorFake, retry: RetryPolicy, key: str
) -> pytest.ExceptionInfo[KeyRejected]:
    """Listing models with `key` is refused as a rejected key."""
    provider = create_provider(config(vendor, fake, api_key=key), retry=retry)
    with pytest.raises(KeyRejected, match="key rejected") as caught:
        await provider.list_models()
    await provider.aclose()
    return caught


async def test_a_wrong_key_reads_key_rejected_and_is_not_retried(
    vendor: Vendor, fake: VendorFake, retry: RetryPolicy
) -> None:
    caught = await _rejected(vendor, fake, retry, "wrong-key-0000000000")
    assert caught.value.provider == vendor.kind
    assert "wrong-key-0000000000" not in str(caught.value)
    assert len(fake.requests) == 1


async def test_429_raises_rate_limited_with_retry_after_and_does_not_wait(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider, sleep: FakeSleep
) -> None:
    fake.fail(429, retry_after="7")
    with pytest.raises(RateLimited) as caught:
        await provider.complete(chat(vendor.model, QUESTION))
    assert caught.value.retry_after == 7.0 and caught.value.provider == vendor.kind
    assert sleep.waits == [] and len(fake.requests) == 1


async def test_a_429_asking_for_under_a_second_is_waited_out_once(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider, sleep: FakeSleep
) -> None:
    fake.fail(429, retry_after="0.5")
    result = await provider.complete(chat(vendor.model, QUESTION))
    assert result.text == fake.text
    assert sleep.waits == [0.5] and len(fake.requests) == 2


async def test_5xx_is_retried_with_backoff_then_unavailable(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider, sleep: FakeSleep
) -> None:
    fake.fail(500, times=3)
    with pytest.raises(ProviderUnavailable, match="unavailable") as caught:
        await provider.complete(chat(vendor.model, QUESTION))
    assert caught.value.provider == vendor.kind
    assert len(fake.requests) == 3 and sleep.waits == [0.5, 1.0]


async def test_a_passing_5xx_is_retried_before_a_stream_starts(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider, sleep: FakeSleep
) -> None:
    fake.fail(503)
    chunks = await collect(provider.stream(chat(vendor.model, QUESTION)))
    assert "".join(c.text for c in chunks) == fake.text
    assert sleep.waits == [0.5] and len(fake.requests) == 2


async def test_timeouts_are_retried_then_unavailable(vendor: Vendor, fake: VendorFake, retry: RetryPolicy) -> None:
    fake.slow(2.0)
    provider = create_provider(config(vendor, fake, timeout_seconds=0.1), retry=retry)
    with pytest.raises(ProviderUnavailable, match="within 0.1s"):
        await provider.complete(chat(vendor.model, QUESTION))
    await provider.aclose()
    assert len(fake.requests) == 3


async def test_an_unreachable_server_is_unavailable(
    vendor: Vendor, fake: VendorFake, retry: RetryPolicy, sleep: FakeSleep
) -> None:
    address = fake.base_url
    fake.server.stop()  # nothing listens there any more
    provider = create_provider(config(vendor, fake, base_url=address), retry=retry)
    with pytest.raises(ProviderUnavailable, match="could not reach 127.0.0.1"):
        await provider.list_models()
    await provider.aclose()
    assert sleep.waits == [0.5, 1.0]


async def test_a_refused_request_is_told_in_atoms_words_not_the_servers(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider
) -> None:
    with pytest.raises(ProviderRequestError, match=r"request refused: .* \(HTTP 4\d\d\)") as caught:
        await provider.complete(chat("no-such-model", QUESTION))
    assert caught.value.provider == vendor.kind and len(fake.requests) == 1
    assert not re.search(vendor.refusal, str(caught.value))  # the server's own text stays out


async def test_a_stream_failing_after_text_raises_and_is_not_replayed(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider
) -> None:
    fake.break_stream("error")
    chunks = provider.stream(chat(vendor.model, QUESTION))
    assert (await anext(chunks)).text == "Hello "
    with pytest.raises(ProviderUnavailable):
        await anext(chunks)
    assert len(fake.requests) == 1


async def test_a_stream_cut_off_after_text_raises_and_is_not_replayed(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider
) -> None:
    fake.break_stream("cut")
    chunks = provider.stream(chat(vendor.model, QUESTION))
    assert (await anext(chunks)).text == "Hello "
    with pytest.raises(ProviderUnavailable, match="cut off"):
        await anext(chunks)
    assert len(fake.requests) == 1


async def test_the_key_stays_out_of_errors_reprs_and_logs(
    vendor: Vendor, fake: VendorFake, provider: ChatProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.fail(503, message=f"upstream refused key {fake.key}")
    fake.fail(400, message=f"key {fake.key} may not use this model")
    with pytest.raises(ProviderRequestError) as caught:
        await provider.complete(chat(vendor.model, QUESTION))
    assert "HTTP 400" in str(caught.value) and "may not use this model" not in str(caught.value)
    for text in (str(caught.value), repr(provider), caplog.text):
        assert fake.key not in text and "upstream refused" not in text
    assert "(HTTP 503); trying again" in caplog.text  # the retry was logged, with the status only


async def test_a_pasted_key_with_a_newline_still_works(vendor: Vendor, fake: VendorFake, retry: RetryPolicy) -> None:
    provider = create_provider(config(vendor, fake, api_key=f" {fake.key}\n"), retry=retry)
    assert await provider.list_models() == list(fake.models)
    await provider.aclose()


async def test_a_key_that_cannot_be_sent_is_rejected_without_showing_it(
    vendor: Vendor, fake: VendorFake, retry: RetryPolicy
) -> None:
    caught = await _rejected(vendor, fake, retry, "sk-half\nsk-other-half")
    shown = "".join(traceback.format_exception(caught.value))
    assert "sk-half" not in shown and "other-half" not in shown
    assert fake.requests == []


# --- a provider is one folder, and it cannot skip these tests ----------------------------------


@pytest.mark.parametrize("provider_id", sorted(manifests()))
def test_every_provider_folder_has_a_loopback_fake_and_a_contract_entry(provider_id: str) -> None:
    """Adding a folder under appliance/ai/providers/ fails here until its fake and its entry exist."""
    if manifest(provider_id).on_box:  # nothing to fake: it runs a real model on the box
        assert (Path(__file__).parent / f"test_{provider_id}_provider.py").is_file()
        return
    [entry] = [vendor for vendor in VENDORS if vendor.kind == provider_id]
    assert entry.fake.provider == provider_id and entry.fake.__name__ in tests.fakes.__all__
