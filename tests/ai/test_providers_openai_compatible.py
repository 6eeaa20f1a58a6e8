"""Any Chat Completions server on the LAN (Ollama, llama.cpp's server, LM Studio)."""

from __future__ import annotations

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import Usage
from appliance.ai.providers.registry import create_provider, manifest
from tests.ai.helpers import chat, collect, config_for
from tests.fakes import FakeLanServer

pytestmark = pytest.mark.anyio


async def test_a_server_without_a_key_gets_no_authorization_header(retry: RetryPolicy) -> None:
    with FakeLanServer(key=None) as fake:
        lan = create_provider(config_for("openai_compatible", fake, api_key=None), retry=retry)
        result = await lan.complete(chat("qwen2.5:7b", "Hi", max_tokens=20))
        await lan.aclose()
    assert result.text == fake.text
    assert "authorization" not in fake.last.headers
    assert (fake.last.path, fake.last.body["model"], fake.last.body["max_tokens"]) == (
        "/v1/chat/completions",
        "qwen2.5:7b",
        20,
    )


async def test_a_server_that_ignores_stream_usage_still_ends_the_stream_properly(retry: RetryPolicy) -> None:
    with FakeLanServer() as fake:
        fake.usage_in_stream = False
        lan = create_provider(config_for("openai_compatible", fake), retry=retry)
        chunks = await collect(lan.stream(chat("llama3.2:3b", "Hi")))
        await lan.aclose()
    assert "".join(c.text for c in chunks) == fake.text
    assert (chunks[-1].usage, chunks[-1].finish_reason) == (Usage(), "stop")


def test_each_key_names_its_server_and_every_model_is_priced_at_zero() -> None:
    found = manifest("openai_compatible")
    assert found.needs_base_url and not found.needs_key
    assert found.base_url is None  # no default: a guess at someone's server would be a loopback address
    info = found.model_info("anything-the-server-has")
    assert info is not None and (info.input_per_mtok, info.output_per_mtok) == (0, 0)
