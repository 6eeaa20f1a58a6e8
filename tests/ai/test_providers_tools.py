"""Tool calling on every cloud provider, against the loopback fakes of their vendors' APIs: the
tools go out in each vendor's documented shape, the calls come back whole (streamed ones
assembled from their pieces), and a conversation carries calls and results onward. The fakes
refuse what the vendors refuse (a result without its call, a call left unanswered, a tool_choice
naming no tool), so a wrong shape fails here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from appliance.ai.providers._http import RetryPolicy
from appliance.ai.providers.base import ChatMessage, ChatProvider, ChatRequest, ToolCall, ToolSpec
from appliance.ai.providers.registry import create_provider
from appliance.errors import ProviderUnavailable
from tests.ai.helpers import collect, config_for
from tests.ai.test_providers_contract import VENDORS, Vendor
from tests.fakes import FakeAnthropic, FakeGemini, FakeLanServer, FakeOpenAI, VendorFake

pytestmark = pytest.mark.anyio

WEATHER = ToolSpec(
    name="get_weather",
    description="The forecast for a city.",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
)
LIGHTS = ToolSpec(name="set_lights", parameters={"type": "object", "properties": {"on": {"type": "boolean"}}})
# Quotes, accents and nesting, so arguments streamed in 4-character pieces split inside them.
ARGUMENTS = {"city": 'Zürich "old town"', "days": 3, "extra": {"units": ["C", "km/h"]}}


@pytest.fixture(params=VENDORS, ids=str)
def vendor(request: pytest.FixtureRequest) -> Vendor:
    return request.param


@pytest.fixture
def fake(vendor: Vendor) -> Iterator[VendorFake]:
    with vendor.fake() as running:
        yield running


@pytest.fixture
async def provider(vendor: Vendor, fake: VendorFake, retry: RetryPolicy) -> AsyncIterator[ChatProvider]:
    made = create_provider(config_for(vendor.kind, fake, options=vendor.options), retry=retry)
    yield made
    await made.aclose()


def ask(vendor: Vendor, *messages: ChatMessage, tool_choice: str = "auto", **options: Any) -> ChatRequest:
    turns = list(messages) or [ChatMessage(role="user", content="What will the weather be in Zürich?")]
    return ChatRequest(model=vendor.model, messages=turns, tools=[WEATHER, LIGHTS], tool_choice=tool_choice, **options)


def call_then_result() -> list[ChatMessage]:
    """A conversation in which the model asked for the weather and the tool answered."""
    call = ToolCall(id="call_1", name="get_weather", arguments={"city": "Oslo"})
    return [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Weather in Oslo?"),
        ChatMessage(role="assistant", content="", tool_calls=[call]),
        ChatMessage(role="tool", content="Sunny, 21 C", tool_call_id="call_1"),
    ]


# --- the calls come back ------------------------------------------------------------------


async def test_complete_returns_the_call_the_model_chose(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    fake.will_call("get_weather", ARGUMENTS)
    result = await provider.complete(ask(vendor))
    assert result.finish_reason == "tool_calls" and result.text == ""
    [call] = result.tool_calls or []
    assert (call.name, call.arguments) == ("get_weather", ARGUMENTS) and call.id


async def test_a_streamed_call_is_assembled_and_arrives_in_the_last_chunk(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    fake.will_call("get_weather", ARGUMENTS)
    chunks = await collect(provider.stream(ask(vendor)))
    assert all(c.tool_calls is None and c.text == "" for c in chunks[:-1])
    final = chunks[-1]
    assert final.finish_reason == "tool_calls" and final.usage is not None and final.usage.output_tokens > 0
    [call] = final.tool_calls or []
    assert (call.name, call.arguments) == ("get_weather", ARGUMENTS) and call.id


async def test_two_calls_in_one_reply_keep_their_order(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    fake.will_call("set_lights", {"on": True})
    fake.will_call("get_weather", {"city": "Oslo"})
    streamed = (await collect(provider.stream(ask(vendor))))[-1].tool_calls or []
    whole = (await provider.complete(ask(vendor))).tool_calls or []
    for calls in (streamed, whole):
        assert [(c.name, c.arguments) for c in calls] == [
            ("set_lights", {"on": True}),
            ("get_weather", {"city": "Oslo"}),
        ]
        assert len({c.id for c in calls}) == 2


async def test_tool_choice_none_gets_words_not_calls(fake: VendorFake, provider: ChatProvider, vendor: Vendor) -> None:
    fake.will_call("get_weather", ARGUMENTS)
    result = await provider.complete(ask(vendor, tool_choice="none"))
    assert (result.text, result.tool_calls, result.finish_reason) == (fake.text, None, "stop")


async def test_a_forced_tool_is_the_one_called(fake: VendorFake, provider: ChatProvider, vendor: Vendor) -> None:
    fake.will_call("get_weather", ARGUMENTS)
    fake.will_call("set_lights", {"on": False})
    result = await provider.complete(ask(vendor, tool_choice="set_lights"))
    assert [c.name for c in result.tool_calls or []] == ["set_lights"]


@pytest.mark.parametrize("vendor", [v for v in VENDORS if v.kind != "gemini"], ids=str)  # Gemini sends calls whole
async def test_a_call_cut_off_midway_is_unavailable_and_not_replayed(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    fake.will_call("get_weather", ARGUMENTS)
    fake.break_stream("cut")  # after the first piece of the arguments
    with pytest.raises(ProviderUnavailable):
        await collect(provider.stream(ask(vendor)))
    assert len(fake.requests) == 1


async def test_a_conversation_continues_after_the_tool_ran(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    history = call_then_result()
    streamed = await collect(provider.stream(ask(vendor, *history)))
    assert "".join(c.text for c in streamed) == fake.text and streamed[-1].finish_reason == "stop"
    follow_up = [*history, ChatMessage(role="assistant", content="Sunny."), ChatMessage(role="user", content="Thanks")]
    assert (await provider.complete(ask(vendor, *follow_up))).text == fake.text


async def test_a_call_left_unanswered_is_refused_by_the_vendor(
    fake: VendorFake, provider: ChatProvider, vendor: Vendor
) -> None:
    """The fakes check the history as the vendors do, so the shapes above are proven, not assumed."""
    from appliance.errors import ProviderRequestError

    unanswered = [*call_then_result()[:3], ChatMessage(role="user", content="Well?")]
    with pytest.raises(ProviderRequestError):
        await provider.complete(ask(vendor, *unanswered))


# --- the wire, vendor by vendor -----------------------------------------------------------


def openai_wire(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in ("tools", "tool_choice") if key in body} | {"messages": body["messages"]}


async def test_openai_gets_function_tools_and_tool_turns(retry: RetryPolicy) -> None:
    with FakeOpenAI() as fake:
        provider = create_provider(config_for("openai", fake), retry=retry)
        await provider.complete(ask(VENDORS[0], *call_then_result(), tool_choice="get_weather"))
        await provider.aclose()
    assert openai_wire(fake.last.body) == {
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": WEATHER.parameters,
                    "description": WEATHER.description,
                },
            },
            {"type": "function", "function": {"name": "set_lights", "parameters": LIGHTS.parameters}},
        ],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Weather in Oslo?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
                    }
                ],
            },
            {"role": "tool", "content": "Sunny, 21 C", "tool_call_id": "call_1"},
        ],
    }


async def test_anthropic_gets_input_schemas_and_tool_blocks(retry: RetryPolicy) -> None:
    with FakeAnthropic() as fake:
        provider = create_provider(config_for("anthropic", fake), retry=retry)
        history = [*call_then_result(), ChatMessage(role="user", content="And tomorrow?")]
        await provider.complete(ask(VENDORS[2], *history, tool_choice="required"))
        await provider.aclose()
    body = fake.last.body
    assert body["tools"] == [
        {"name": "get_weather", "input_schema": WEATHER.parameters, "description": WEATHER.description},
        {"name": "set_lights", "input_schema": LIGHTS.parameters},
    ]
    assert body["tool_choice"] == {"type": "any"} and body["system"] == "Be brief."
    assert body["messages"] == [
        {"role": "user", "content": "Weather in Oslo?"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Oslo"}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "Sunny, 21 C"},
                {"type": "text", "text": "And tomorrow?"},
            ],
        },
    ]


async def test_gemini_gets_function_declarations_and_function_parts(retry: RetryPolicy) -> None:
    with FakeGemini() as fake:
        provider = create_provider(config_for("gemini", fake), retry=retry)
        await provider.complete(ask(VENDORS[3], *call_then_result(), tool_choice="get_weather"))
        await provider.complete(ask(VENDORS[3], tool_choice="none"))
        await provider.aclose()
    forced, unforced = fake.requests[0].body, fake.requests[1].body
    assert forced["tools"] == [
        {
            "functionDeclarations": [
                {"name": "get_weather", "parametersJsonSchema": WEATHER.parameters, "description": WEATHER.description},
                {"name": "set_lights", "parametersJsonSchema": LIGHTS.parameters},
            ]
        }
    ]
    assert forced["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}}
    assert unforced["toolConfig"] == {"functionCallingConfig": {"mode": "NONE"}}
    assert forced["contents"][1:] == [
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}}],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"output": "Sunny, 21 C"}, "id": "call_1"}}
            ],
        },
    ]


async def test_a_plain_request_sends_no_tool_fields(fake: VendorFake, provider: ChatProvider, vendor: Vendor) -> None:
    await provider.complete(ChatRequest(model=vendor.model, messages=[ChatMessage(role="user", content="Hi")]))
    sent = set(fake.last.body)
    assert not sent & {"tools", "tool_choice", "toolConfig"}


class _BatchAtIndexZero(FakeLanServer):
    """A LAN server (as Ollama does) that streams every call of a batch at index 0, told apart by id."""

    def tool_stream(self, model: str, calls: list[dict[str, Any]], usage: dict[str, int], include_usage: bool) -> Any:
        reply = super().tool_stream(model, calls, usage, include_usage)
        reply.frames = [frame.replace(b'"index": 1', b'"index": 0') for frame in reply.frames or []]
        return reply


async def test_calls_a_server_sends_at_one_index_stay_apart(retry: RetryPolicy) -> None:
    with _BatchAtIndexZero() as fake:
        fake.will_call("set_lights", {"on": True})
        fake.will_call("get_weather", {"city": "Oslo"})
        provider = create_provider(config_for("openai_compatible", fake), retry=retry)
        chunks = await collect(provider.stream(ask(VENDORS[5])))
        await provider.aclose()
    calls = chunks[-1].tool_calls or []
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("call_fake0001", "set_lights", {"on": True}),
        ("call_fake0002", "get_weather", {"city": "Oslo"}),
    ]


def test_every_built_in_provider_says_it_calls_tools() -> None:
    """Routing reads the manifest's `tools`: each built-in provider answers tools (above, and
    the local model in test_local_tools), so each says so."""
    from appliance.ai.providers.registry import manifests

    assert {name: found.tools for name, found in manifests().items()} == dict.fromkeys(manifests(), True)
