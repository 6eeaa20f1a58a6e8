"""The fakes speak the vendors' real wire format: the official SDKs, pointed at them, agree.

The SDKs are test-only dependencies used for nothing else; Atom itself never imports them.
(There is no such check for Gemini: Google's SDK would pull in much more than it proves.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fakes import FakeAnthropic, FakeAzureOpenAI, FakeOpenAI

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def anthropic_fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


def test_the_openai_sdk_reads_the_fakes_replies_and_streams(openai_fake: FakeOpenAI) -> None:
    client = openai.OpenAI(api_key=openai_fake.key, base_url=openai_fake.base_url, max_retries=0)
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi there"}])
    assert reply.choices[0].message.content == openai_fake.text
    assert (reply.usage.prompt_tokens, reply.choices[0].finish_reason) == (2, "stop")
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "Hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == openai_fake.text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == len(openai_fake.text.split())
    assert [m.id for m in client.models.list()] == list(openai_fake.models)


def test_the_openai_sdk_sees_the_fakes_errors_as_openais(openai_fake: FakeOpenAI) -> None:
    client = openai.OpenAI(api_key="sk-wrong-key-123456", base_url=openai_fake.base_url, max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.models.list()
    good = openai.OpenAI(api_key=openai_fake.key, base_url=openai_fake.base_url, max_retries=0)
    openai_fake.fail(429, retry_after="3")
    with pytest.raises(openai.RateLimitError):
        good.models.list()
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        good.chat.completions.create(model="gpt-0", messages=[{"role": "user", "content": "Hi"}])
    openai_fake.break_stream("error")
    with pytest.raises(openai.APIError, match="server had an error"):
        list(
            good.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True)
        )


def test_the_azure_client_finds_the_fakes_deployment_paths() -> None:
    with FakeAzureOpenAI() as fake:
        client = openai.AzureOpenAI(
            api_key=fake.key, azure_endpoint=fake.base_url, api_version="2024-10-21", max_retries=0
        )
        reply = client.chat.completions.create(model="family-chat", messages=[{"role": "user", "content": "Hi"}])
        chunks = list(
            client.chat.completions.create(
                model="family-chat", messages=[{"role": "user", "content": "Hi"}], stream=True
            )
        )
    assert reply.choices[0].message.content == fake.text
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == fake.text
    assert fake.last.path == "/openai/deployments/family-chat/chat/completions"


def test_the_anthropic_sdk_reads_the_fakes_messages_and_streams(anthropic_fake: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key=anthropic_fake.key, base_url=anthropic_fake.server.url, max_retries=0)
    message = client.messages.create(
        model="claude-haiku-4-5", max_tokens=100, system="Be brief.", messages=[{"role": "user", "content": "Hi"}]
    )
    assert message.content[0].text == anthropic_fake.text and message.stop_reason == "end_turn"
    with client.messages.stream(
        model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "Hi"}]
    ) as stream:
        assert "".join(stream.text_stream) == anthropic_fake.text
        final = stream.get_final_message()
    assert (final.usage.input_tokens, final.usage.output_tokens) == (1, len(anthropic_fake.text.split()))
    assert [m.id for m in client.models.list()] == list(anthropic_fake.models)


def test_the_anthropic_sdk_sees_the_fakes_errors_as_anthropics(anthropic_fake: FakeAnthropic) -> None:
    wrong = anthropic.Anthropic(api_key="sk-ant-wrong", base_url=anthropic_fake.server.url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError):
        wrong.models.list()
    client = anthropic.Anthropic(api_key=anthropic_fake.key, base_url=anthropic_fake.server.url, max_retries=0)
    anthropic_fake.fail(529, message="Overloaded")
    with pytest.raises(anthropic.InternalServerError, match="Overloaded"):
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(anthropic.BadRequestError, match="top-level `system` parameter"):
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "system", "content": "Hi"}])
    anthropic_fake.break_stream("error")
    with pytest.raises(anthropic.APIStatusError, match="Overloaded"):
        with client.messages.stream(
            model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "Hi"}]
        ) as stream:
            "".join(stream.text_stream)


# --- tool calls, as the SDKs send and read them ----------------------------------------------

WEATHER_ARGS = {"city": 'Zürich "old town"', "days": 3}
OPENAI_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The forecast for a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}},
        },
    }
]
ANTHROPIC_TOOLS = [
    {
        "name": "get_weather",
        "description": "The forecast for a city.",
        "input_schema": OPENAI_TOOLS[0]["function"]["parameters"],
    }
]


def test_the_openai_sdk_reads_the_fakes_tool_calls_whole_and_streamed(openai_fake: FakeOpenAI) -> None:
    openai_fake.will_call("get_weather", WEATHER_ARGS)
    client = openai.OpenAI(api_key=openai_fake.key, base_url=openai_fake.base_url, max_retries=0)
    ask = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Weather?"}], "tools": OPENAI_TOOLS}
    reply = client.chat.completions.create(**ask)
    [call] = reply.choices[0].message.tool_calls
    assert (reply.choices[0].finish_reason, call.function.name) == ("tool_calls", "get_weather")
    assert json.loads(call.function.arguments) == WEATHER_ARGS and reply.choices[0].message.content is None
    with client.chat.completions.stream(**ask) as stream:  # the SDK assembles the streamed pieces itself
        final = stream.get_final_completion()
    [streamed] = final.choices[0].message.tool_calls
    assert (streamed.id, streamed.function.name) == (call.id, "get_weather")
    assert json.loads(streamed.function.arguments) == WEATHER_ARGS and final.choices[0].finish_reason == "tool_calls"


def test_the_openai_sdks_tool_turns_are_what_the_fake_checks(openai_fake: FakeOpenAI) -> None:
    client = openai.OpenAI(api_key=openai_fake.key, base_url=openai_fake.base_url, max_retries=0)
    call = {"id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
    history = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_9", "content": "Sunny"},
    ]
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=history, tools=OPENAI_TOOLS)
    assert reply.choices[0].message.content == openai_fake.text
    with pytest.raises(openai.BadRequestError, match="did not have response messages"):
        client.chat.completions.create(model="gpt-4o-mini", messages=history[:2], tools=OPENAI_TOOLS)
    with pytest.raises(openai.BadRequestError, match="must be a response to a preceeding message"):
        client.chat.completions.create(model="gpt-4o-mini", messages=[history[0], history[2]], tools=OPENAI_TOOLS)


def test_the_anthropic_sdk_reads_the_fakes_tool_use_whole_and_streamed(anthropic_fake: FakeAnthropic) -> None:
    anthropic_fake.will_call("get_weather", WEATHER_ARGS)
    client = anthropic.Anthropic(api_key=anthropic_fake.key, base_url=anthropic_fake.server.url, max_retries=0)
    ask = {
        "model": "claude-haiku-4-5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Weather?"}],
        "tools": ANTHROPIC_TOOLS,
        "tool_choice": {"type": "any"},
    }
    message = client.messages.create(**ask)
    [block] = message.content
    assert (block.type, block.name, block.input, message.stop_reason) == (
        "tool_use",
        "get_weather",
        WEATHER_ARGS,
        "tool_use",
    )
    with client.messages.stream(**ask) as stream:  # the SDK joins the input_json_delta pieces itself
        final = stream.get_final_message()
    [streamed] = final.content
    assert (streamed.id, streamed.input, final.stop_reason) == (block.id, WEATHER_ARGS, "tool_use")


def test_the_anthropic_sdks_tool_results_are_what_the_fake_checks(anthropic_fake: FakeAnthropic) -> None:
    client = anthropic.Anthropic(api_key=anthropic_fake.key, base_url=anthropic_fake.server.url, max_retries=0)
    used = {"type": "tool_use", "id": "toolu_9", "name": "get_weather", "input": {"city": "Oslo"}}
    result = {"type": "tool_result", "tool_use_id": "toolu_9", "content": "Sunny"}
    history = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [used]},
        {"role": "user", "content": [result]},
    ]
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50, messages=history, tools=ANTHROPIC_TOOLS)
    assert message.content[0].text == anthropic_fake.text
    with pytest.raises(anthropic.BadRequestError, match="without `tool_result` blocks"):
        client.messages.create(
            model="claude-haiku-4-5", max_tokens=50, messages=[*history[:2], {"role": "user", "content": "Hm?"}]
        )
