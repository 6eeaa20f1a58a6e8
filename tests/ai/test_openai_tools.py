"""Tools through Atom's `/v1/chat/completions`, as the official `openai` SDK sends and reads them over
real HTTP: on cloud keys (each vendor's fake checks what it received) and on the local model.
Bad tools are a 400 before any provider is asked; requests with tools go only where tools work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec
import openai
import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.ai.providers import registry
from appliance.caches import model_cache
from appliance.runtime import Runtime
from tests.fakes import FakeAnthropic, FakeGemini, FakeOpenAI, VendorFake

pytestmark = pytest.mark.timeout(240)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather forecast for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
LIGHTS = {
    "type": "function",
    "function": {
        "name": "set_lights",
        "description": "Turn the lights in a room on or off.",
        "parameters": {
            "type": "object",
            "properties": {"room": {"type": "string", "enum": ["kitchen", "hall"]}, "on": {"type": "boolean"}},
            "required": ["room", "on"],
        },
    },
}
TOOLS = [WEATHER, LIGHTS]
ASK = [{"role": "user", "content": "What's the weather in Oslo?"}]
CLOUDS = [
    (FakeOpenAI, "openai", "gpt-4o-mini"),
    (FakeAnthropic, "anthropic", "claude-haiku-4-5"),
    (FakeGemini, "gemini", "gemini-2.5-flash"),
]


def sdk_for(client: TestClient, live_url: str) -> openai.OpenAI:
    token = client.post("/api/tokens", json={"name": "sdk"}).json()["secret"]
    return openai.OpenAI(base_url=f"{live_url}/v1", api_key=token, max_retries=0, timeout=120)


@pytest.fixture
def sdk(ai_admin: TestClient, live_url: str) -> openai.OpenAI:
    return sdk_for(ai_admin, live_url)


@pytest.fixture(params=CLOUDS, ids=lambda cloud: cloud[1])
def cloud(request: pytest.FixtureRequest, ai_admin: TestClient) -> Iterator[tuple[VendorFake, str]]:
    fake_type, provider, model = request.param
    with fake_type() as fake:
        key = {"provider": provider, "api_key": fake.key, "default_model": model}
        assert ai_admin.post("/api/ai/keys", json=key).status_code == 201
        yield fake, f"{provider}/{model}"


def chats(fake: VendorFake) -> list[Any]:
    return [r for r in fake.requests if r.method == "POST"]


# --- cloud keys ---------------------------------------------------------------------------


def test_a_cloud_models_call_comes_back_in_openais_format(sdk: openai.OpenAI, cloud: tuple[VendorFake, str]) -> None:
    fake, model = cloud
    fake.will_call("get_weather", {"city": "Oslo"})
    reply = sdk.chat.completions.create(model=model, messages=ASK, tools=TOOLS)
    choice = reply.choices[0]
    [call] = choice.message.tool_calls or []
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    assert (call.type, call.function.name, json.loads(call.function.arguments)) == (
        "function",
        "get_weather",
        {"city": "Oslo"},
    )
    assert call.id and reply.model == model
    sent = json.dumps(chats(fake)[-1].body)
    assert "get_weather" in sent and "set_lights" in sent  # both tools reached the vendor, in its shape


def test_a_streamed_call_reads_whole_through_the_sdks_stream_helper(
    sdk: openai.OpenAI, cloud: tuple[VendorFake, str]
) -> None:
    fake, model = cloud
    fake.will_call("set_lights", {"room": "hall", "on": True})
    with sdk.chat.completions.stream(model=model, messages=ASK, tools=TOOLS, tool_choice="required") as stream:
        final = stream.get_final_completion()
    [call] = final.choices[0].message.tool_calls or []
    assert (call.function.name, json.loads(call.function.arguments)) == ("set_lights", {"room": "hall", "on": True})
    assert final.choices[0].finish_reason == "tool_calls"
    raw = list(sdk.chat.completions.create(model=model, messages=ASK, tools=TOOLS, stream=True))
    deltas = [c.choices[0].delta for c in raw if c.choices and c.choices[0].delta.tool_calls]
    assert len(deltas) == 1 and deltas[0].tool_calls[0].index == 0
    assert [c.choices[0].finish_reason for c in raw if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


def test_the_conversation_goes_on_with_the_tools_result(sdk: openai.OpenAI, cloud: tuple[VendorFake, str]) -> None:
    fake, model = cloud
    fake.will_call("get_weather", {"city": "Oslo"})
    first = sdk.chat.completions.create(model=model, messages=ASK, tools=TOOLS)
    asked = first.choices[0].message
    [call] = asked.tool_calls or []
    fake.planned.clear()
    history = [
        *ASK,
        asked.model_dump(exclude_none=True),  # as an SDK user sends it back
        {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 C"},
    ]
    reply = sdk.chat.completions.create(model=model, messages=history, tools=TOOLS)
    assert reply.choices[0].message.content == fake.text and reply.choices[0].finish_reason == "stop"
    assert "Sunny, 21 C" in json.dumps(chats(fake)[-1].body)  # the result reached the vendor (which checks pairing)


def test_tool_choice_reaches_the_vendor(sdk: openai.OpenAI, ai_admin: TestClient) -> None:
    with FakeAnthropic() as fake:
        ai_admin.post(
            "/api/ai/keys", json={"provider": "anthropic", "api_key": fake.key, "default_model": "claude-haiku-4-5"}
        )
        forced = {"type": "function", "function": {"name": "set_lights"}}
        sdk.chat.completions.create(model="anthropic/claude-haiku-4-5", messages=ASK, tools=TOOLS, tool_choice=forced)
        sdk.chat.completions.create(model="anthropic/claude-haiku-4-5", messages=ASK, tools=TOOLS, tool_choice="none")
    sent = [r.body["tool_choice"] for r in chats(fake)]
    assert sent == [{"type": "tool", "name": "set_lights"}, {"type": "none"}]


# --- what is refused, before anything is sent --------------------------------------------------


def _tool(name: str = "t", **parameters: Any) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": parameters or {"type": "object"}}}


BAD = [
    pytest.param({"tools": [_tool(type="string")]}, '"type": "object"', id="parameters-not-an-object"),
    pytest.param(
        {"tools": [_tool(type="object", properties={"a": {"$ref": "https://evil.example/s.json"}})]},
        "$ref may only point inside the schema",
        id="remote-ref",
    ),
    pytest.param(
        {"tools": [_tool(type="object", properties={"a": {"type": "strange"}})]}, "type must be one of", id="bad-type"
    ),
    pytest.param(
        {"tools": [_tool(type="object", properties={"a": 5})]}, "must be a JSON Schema object", id="not-a-schema"
    ),
    pytest.param({"tools": [_tool(type="object", required="a")]}, "required must be a list", id="bad-required"),
    pytest.param({"tools": [_tool("lights on")]}, "is not allowed", id="name-with-a-space"),
    pytest.param({"tools": [_tool("auto")]}, "tool_choice uses that word", id="name-auto"),
    pytest.param({"tools": [_tool("t"), _tool("t")]}, "same name", id="duplicate-names"),
    pytest.param({"tools": [_tool()] * 129}, "128", id="too-many-tools"),
    pytest.param({"tools": [_tool(type="object", description="x" * 20_000)]}, "larger than", id="schema-too-large"),
    pytest.param(
        {"tools": [_tool()], "tool_choice": {"type": "function", "function": {"name": "other"}}},
        "not one of the tools",
        id="choice-names-no-tool",
    ),
    pytest.param({"tool_choice": "required"}, "needs tools", id="required-without-tools"),
    pytest.param({"tools": [{"type": "retrieval"}]}, "", id="not-a-function"),
    pytest.param(
        {"extra_messages": [{"role": "tool", "tool_call_id": "nope", "content": "x"}]},
        "must answer a tool call",
        id="orphan-result",
    ),
    pytest.param(
        {
            "extra_messages": [
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "t", "arguments": "{oops"}}],
                }
            ]
        },
        "not a JSON object",
        id="arguments-not-json",
    ),
    pytest.param(
        {
            "extra_messages": [
                {
                    "role": "user",
                    "content": "x",
                    "tool_calls": [{"id": "c", "type": "function", "function": {"name": "t"}}],
                }
            ]
        },
        "only an assistant",
        id="calls-on-a-user-turn",
    ),
]


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


BAD.append(pytest.param({"tools": [_tool(**_nested(20))]}, "nests deeper", id="too-deep"))


@pytest.mark.parametrize("body, refusal", BAD)
def test_bad_tools_are_a_400_and_reach_no_provider(
    ai_admin: TestClient, runtime: Runtime, body: dict[str, Any], refusal: str
) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"})
        extra = body.pop("extra_messages", [])
        request = {"model": "openai/gpt-4o-mini", "messages": [*ASK, *extra], **body}
        for stream in (False, True):
            response = ai_admin.post("/v1/chat/completions", json={**request, "stream": stream})
            assert response.status_code == 400, response.text
            assert response.json()["error"]["type"] == "invalid_request_error"
            assert refusal in response.json()["error"]["message"] or not refusal
    assert chats(fake) == []
    assert runtime.db.read_sync(lambda c: c.execute("SELECT count(*) FROM ai_usage").fetchone()[0]) == 0


# --- routing ------------------------------------------------------------------------------


@pytest.fixture
def openai_without_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenAI's manifest as if it said `tools = false` (every built-in provider calls tools)."""
    found = registry._discover()
    monkeypatch.setitem(found, "openai", msgspec.structs.replace(found["openai"], tools=False))


def test_tools_go_only_to_providers_that_call_them(
    ai_admin: TestClient, runtime: Runtime, openai_without_tools: None
) -> None:
    with FakeOpenAI() as cheap, FakeAnthropic() as able:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": cheap.key, "default_model": "gpt-4o-mini"})
        ai_admin.post(
            "/api/ai/keys", json={"provider": "anthropic", "api_key": able.key, "default_model": "claude-haiku-4-5"}
        )
        assert ai_admin.put("/api/ai/preferences", json={"policy": "cheapest"}).status_code == 200
        words = ai_admin.post("/v1/chat/completions", json={"messages": ASK}).json()
        able.will_call("get_weather", {"city": "Oslo"})
        called = ai_admin.post("/v1/chat/completions", json={"messages": ASK, "tools": TOOLS}).json()
        refused = ai_admin.post(
            "/v1/chat/completions", json={"model": "openai/gpt-4o-mini", "messages": ASK, "tools": TOOLS}
        )
    assert words["model"] == "openai/gpt-4o-mini"  # the cheapest, when no tools are asked for
    assert called["model"] == "anthropic/claude-haiku-4-5"
    assert called["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert refused.status_code == 400 and "cannot call tools" in refused.json()["error"]["message"]
    ledger = runtime.db.read_sync(
        lambda c: c.execute("SELECT provider, outcome, output_tokens > 0 FROM ai_usage ORDER BY created_at").fetchall()
    )
    assert ledger == [("openai", "ok", True), ("anthropic", "ok", True)]  # a call is a reply the ledger counts


def test_with_no_provider_able_to_call_tools_the_answer_says_so(
    ai_admin: TestClient, openai_without_tools: None
) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"})
        assert ai_admin.put("/api/ai/preferences", json={"policy": "cheapest"}).status_code == 200
        response = ai_admin.post("/v1/chat/completions", json={"messages": ASK, "tools": TOOLS})
    assert response.status_code == 503 and "can call tools" in response.json()["error"]["message"]


# --- the local model --------------------------------------------------------------------


@pytest.fixture
def local_sdk(ai_admin: TestClient, runtime: Runtime, live_url: str) -> openai.OpenAI:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")
    install_model(runtime.settings.data_dir, load_manifest().get("smollm2"), model_cache())
    return sdk_for(ai_admin, live_url)


def test_the_local_model_answers_tools_in_openais_format(local_sdk: openai.OpenAI) -> None:
    reply = local_sdk.chat.completions.create(model="local/smollm2", messages=ASK, tools=TOOLS, tool_choice="required")
    [call] = reply.choices[0].message.tool_calls or []
    assert reply.choices[0].finish_reason == "tool_calls" and call.function.name in ("get_weather", "set_lights")
    assert isinstance(json.loads(call.function.arguments), dict)
    with local_sdk.chat.completions.stream(
        model="local/smollm2",
        messages=ASK,
        tools=TOOLS,
        tool_choice={"type": "function", "function": {"name": "set_lights"}},
    ) as stream:
        final = stream.get_final_completion()
    [streamed] = final.choices[0].message.tool_calls or []
    arguments = json.loads(streamed.function.arguments)
    assert (
        streamed.function.name == "set_lights"
        and arguments["room"] in ("kitchen", "hall")
        and isinstance(arguments["on"], bool)
    )


def test_a_schema_that_would_crash_llama_cpp_is_a_400_and_atom_carries_on(local_sdk: openai.OpenAI) -> None:
    hostile = _tool("note", type="object", properties={"text": {"type": "string", "maxLength": 100_000}})
    with pytest.raises(openai.BadRequestError, match="up to 256"):
        local_sdk.chat.completions.create(model="local/smollm2", messages=ASK, tools=[hostile], tool_choice="required")
    reply = local_sdk.chat.completions.create(model="local/smollm2", messages=ASK, tools=TOOLS, tool_choice="required")
    assert reply.choices[0].message.tool_calls
