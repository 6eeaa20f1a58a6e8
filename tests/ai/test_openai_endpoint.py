"""Atom's `/v1` as the official `openai` SDK sees it, over real HTTP: the local model and a cloud key."""

from __future__ import annotations

import time

import httpx
import openai
import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime
from tests.fakes import FakeOpenAI

pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")
pytestmark = pytest.mark.timeout(240)

CACHE = model_cache()
STORY = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]


@pytest.fixture
def sdk(ai_admin: TestClient, runtime: Runtime, live_url: str) -> openai.OpenAI:
    """The official client, holding a personal API token, pointed at Atom with the local model installed."""
    install_model(runtime.settings.data_dir, load_manifest().get("smollm2"), CACHE)
    token = ai_admin.post("/api/tokens", json={"name": "sdk"}).json()["secret"]
    return openai.OpenAI(base_url=f"{live_url}/v1", api_key=token, max_retries=0, timeout=120)


def test_models_lists_auto_and_the_local_model(sdk: openai.OpenAI) -> None:
    names = [m.id for m in sdk.models.list()]
    assert names[0] == "auto" and "local/smollm2" in names


def test_local_reply_streams_and_respects_max_tokens(sdk: openai.OpenAI) -> None:
    stream = sdk.chat.completions.create(
        model="local/smollm2", messages=STORY, max_tokens=12, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert len(texts) > 3
    assert chunks[-1].usage is not None and 0 < chunks[-1].usage.completion_tokens <= 12
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["length"]


def test_non_streaming_local_reply(sdk: openai.OpenAI) -> None:
    reply = sdk.chat.completions.create(model="auto", messages=STORY, max_tokens=8)
    assert reply.model == "local/smollm2"
    assert reply.choices[0].message.content
    assert reply.usage.completion_tokens <= 8 and reply.usage.prompt_tokens > 5


def test_generation_stops_when_the_client_disconnects(sdk: openai.OpenAI, runtime: Runtime, live_url: str) -> None:
    body = {"model": "local/smollm2", "messages": STORY, "max_tokens": 400, "stream": True}
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    with httpx.stream("POST", f"{live_url}/v1/chat/completions", json=body, headers=headers, timeout=60) as response:
        lines = response.iter_lines()
        for _ in range(5):
            next(lines)
    deadline = time.monotonic() + 10
    while runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM ai_usage").fetchone()[0]) == 0:
        assert time.monotonic() < deadline, "the cancelled request never reached the ledger"
        time.sleep(0.05)
    outcome, tokens = runtime.db.read_sync(
        lambda c: c.execute("SELECT outcome, output_tokens FROM ai_usage").fetchone()
    )
    assert outcome == "cancelled" and tokens < 400
    after = sdk.chat.completions.create(model="local/smollm2", messages=STORY, max_tokens=4)
    assert after.choices[0].message.content  # the model was freed for the next request


def test_cloud_key_through_the_sdk(sdk: openai.OpenAI, ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post(
            "/api/ai/keys",
            json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"},
        )
        reply = sdk.chat.completions.create(model="openai/gpt-4o-mini", messages=STORY, max_tokens=50)
        assert reply.choices[0].message.content == fake.text
        streamed = sdk.chat.completions.create(model="openai/gpt-4o-mini", messages=STORY, stream=True)
        assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == fake.text


def test_errors_reach_the_sdk_as_its_own_exceptions(sdk: openai.OpenAI, live_url: str) -> None:
    with pytest.raises(openai.BadRequestError, match="not available"):
        sdk.chat.completions.create(model="openai/gpt-4o", messages=STORY)
    stranger = openai.OpenAI(base_url=f"{live_url}/v1", api_key="atom_wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        stranger.models.list()


def test_over_budget_goes_to_the_local_model_when_the_member_chose_it(sdk: openai.OpenAI, ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        key = ai_admin.post(
            "/api/ai/keys",
            json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"},
        ).json()["id"]
        prefs = {"policy": "fixed", "fixed_key": key, "monthly_budget_usd": 0.0000001, "over_budget": "local"}
        assert ai_admin.put("/api/ai/preferences", json=prefs).status_code == 200
        assert sdk.chat.completions.create(model="auto", messages=STORY, max_tokens=4).model == "openai/gpt-4o-mini"
        assert sdk.chat.completions.create(model="auto", messages=STORY, max_tokens=4).model == "local/smollm2"


def test_leaving_a_chat_reply_stops_generation_and_keeps_the_partial_reply(
    sdk: openai.OpenAI, runtime: Runtime, live_url: str
) -> None:
    headers = {"Authorization": f"Bearer {sdk.api_key}"}
    chat = httpx.post(f"{live_url}/api/chat/conversations", json={}, headers=headers).json()
    body = {"content": STORY[0]["content"], "model": "local/smollm2", "max_tokens": 400}
    url = f"{live_url}/api/chat/conversations/{chat['id']}/messages"
    with httpx.stream("POST", url, json=body, headers=headers, timeout=60) as response:
        lines = response.iter_lines()
        for _ in range(8):
            next(lines)
    deadline = time.monotonic() + 10
    while True:
        messages = httpx.get(f"{live_url}/api/chat/conversations/{chat['id']}", headers=headers).json()["messages"]
        if len(messages) == 2:
            break
        assert time.monotonic() < deadline, "the partial reply was not kept"
        time.sleep(0.05)
    assert messages[1]["role"] == "assistant" and messages[1]["content"]
    outcome = runtime.db.read_sync(lambda c: c.execute("SELECT outcome FROM ai_usage").fetchone()[0])
    assert outcome == "cancelled"


def test_concurrent_local_requests_queue_and_all_complete(sdk: openai.OpenAI) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(n: int) -> tuple[str, int]:
        reply = sdk.chat.completions.create(
            model="local/smollm2",
            messages=[{"role": "user", "content": f"Count to {n}."}],
            max_tokens=10,
            temperature=0,
        )
        return reply.choices[0].message.content or "", reply.usage.completion_tokens

    with ThreadPoolExecutor(2) as pool:  # two: a member's limit by default (ai.local_per_member)
        together = list(pool.map(ask, [3, 4]))
    alone = [ask(n) for n in [3, 4]]
    assert together == alone  # no interleaving: each reply is what it would be on its own
