"""Any Chat Completions server on the LAN (Ollama, llama.cpp's server, LM Studio)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import Usage
from appliance.ai.providers.registry import create_provider
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


def test_a_house_servers_replies_cost_nothing_whatever_the_model(ai_admin: TestClient) -> None:
    """Its manifest prices every model ("*") at zero: the ledger and the usage page say so."""
    with FakeLanServer(key=None) as fake:
        key = {"provider": "openai_compatible", "base_url": fake.base_url, "default_model": "qwen2.5:7b"}
        assert ai_admin.post("/api/ai/keys", json=key).status_code == 201
        asked = {"model": "openai_compatible/qwen2.5:7b", "messages": [{"role": "user", "content": "Hi"}]}
        assert ai_admin.post("/v1/chat/completions", json=asked).status_code == 200
    usage = ai_admin.get("/api/ai/usage").json()
    [spent] = usage["by_provider"]
    assert (spent["provider"], spent["requests"], spent["cost_usd"], usage["spend_usd"]) == (
        "openai_compatible",
        1,
        0,
        0,
    )
    assert spent["input_tokens"] > 0  # it was counted, and free
