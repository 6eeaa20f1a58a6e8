"""Tool calling on the real local model (SmolLM2-135M through llama.cpp), held to the tools'
schemas by a grammar: every reply parses and names a tool it was offered, with arguments its
schema allows. Whether it picks the right tool is measured elsewhere: a 135M model often does not.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from appliance.ai.models import install_model, load_manifest, require_model
from appliance.ai.providers.base import ChatMessage, ChatProvider, ChatRequest, ProviderConfig, ToolCall, ToolSpec
from appliance.ai.providers.local import provider as local_module
from appliance.ai.providers.registry import create_provider
from appliance.caches import model_cache
from appliance.errors import ProviderRequestError, RateLimited
from tests.ai.helpers import collect

pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]

WEATHER = ToolSpec(
    name="get_weather",
    description="Get the weather forecast for a city.",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 60}, "days": {"type": "integer"}},
        "required": ["city"],
    },
)
LIGHTS = ToolSpec(
    name="set_lights",
    description="Turn the lights in a room on or off.",
    parameters={
        "type": "object",
        "properties": {"room": {"$ref": "#/$defs/room"}, "on": {"type": "boolean"}},
        "required": ["room", "on"],
        "$defs": {"room": {"type": "string", "enum": ["kitchen", "bedroom", "hall"]}},
    },
)
TASK = ToolSpec(
    name="add_task",
    description="Add a task to the household's list.",
    parameters={"type": "object", "properties": {"title": {"type": "string", "maxLength": 80}}, "required": ["title"]},
)
TOOLS = [WEATHER, LIGHTS, TASK]
REQUESTS = [
    "What's the weather in Paris tomorrow?",
    "Turn on the kitchen lights.",
    "Remind me to buy milk.",
    "Tell me a joke.",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.getbasetemp() / "smollm2-tools"
    install_model(data, load_manifest().get("smollm2"), model_cache())
    return data


def local_provider(data_dir: Path, **options: str) -> ChatProvider:
    return create_provider(ProviderConfig(kind="local", options={"data_dir": str(data_dir), "threads": "1", **options}))


@pytest.fixture
async def local(data_dir: Path) -> AsyncIterator[ChatProvider]:
    provider = local_provider(data_dir)
    yield provider
    await provider.aclose()


def ask(text: str, tool_choice: str = "required", *history: ChatMessage, **options: Any) -> ChatRequest:
    turns = [*history, ChatMessage(role="user", content=text)]
    return ChatRequest(model="smollm2", messages=turns, tools=TOOLS, tool_choice=tool_choice, **options)


def allowed(call: ToolCall) -> bool:
    """The call names an offered tool and its arguments are what that tool's schema allows."""
    rules = {
        "get_weather": {"city": str, "days": int},
        "set_lights": {"room": str, "on": bool},
        "add_task": {"title": str},
    }
    required = {"get_weather": {"city"}, "set_lights": {"room", "on"}, "add_task": {"title"}}
    types = rules.get(call.name)
    if types is None or not required[call.name] <= set(call.arguments) <= set(types):
        return False
    if call.name == "set_lights" and call.arguments["room"] not in ("kitchen", "bedroom", "hall"):
        return False
    return all(type(value) is types[key] for key, value in call.arguments.items())


async def test_every_required_call_parses_and_names_an_offered_tool(local: ChatProvider) -> None:
    for text in REQUESTS:
        result = await local.complete(ask(text))
        [call] = result.tool_calls or []
        assert allowed(call), call
        assert call.id and result.text == "" and result.finish_reason == "tool_calls"
        assert result.usage.input_tokens > 100 and result.usage.output_tokens > 5


async def test_auto_gives_a_real_call_or_words(local: ChatProvider) -> None:
    for text in REQUESTS:
        result = await local.complete(ask(text, "auto", max_tokens=48))
        if result.tool_calls:
            assert [allowed(call) for call in result.tool_calls] == [True] and result.text == ""
        else:
            assert result.text.strip() and not result.text.lstrip().startswith('{"tool"')
            assert result.finish_reason in ("stop", "length")


async def test_a_named_tool_is_the_one_called(local: ChatProvider) -> None:
    result = await local.complete(ask("What's the weather in Oslo?", "set_lights"))
    [call] = result.tool_calls or []
    assert call.name == "set_lights" and allowed(call)


async def test_tool_choice_none_answers_in_words_without_the_tools(local: ChatProvider) -> None:
    with_none = await local.complete(ask("Say hello.", "none", max_tokens=6, temperature=0))
    plain = await local.complete(
        ChatRequest(
            model="smollm2", messages=[ChatMessage(role="user", content="Say hello.")], max_tokens=6, temperature=0
        )
    )
    assert with_none.tool_calls is None and with_none.text == plain.text
    assert with_none.usage == plain.usage  # the tools' prompt was not read at all


async def test_a_streamed_call_comes_whole_in_the_last_chunk_and_no_json_leaks(local: ChatProvider) -> None:
    chunks = await collect(local.stream(ask("Turn off the hall light.")))
    assert [c.text for c in chunks] == [""] and chunks[-1].finish_reason == "tool_calls"
    [call] = chunks[-1].tool_calls or []
    assert allowed(call)


async def test_a_conversation_goes_on_after_the_tool_ran(local: ChatProvider) -> None:
    call = ToolCall(id="call_1", name="get_weather", arguments={"city": "Oslo"})
    history = [
        ChatMessage(role="user", content="Weather in Oslo?"),
        ChatMessage(role="assistant", content="", tool_calls=[call]),
        ChatMessage(role="tool", content="Sunny, 21 C", tool_call_id="call_1"),
    ]
    answered = await local.complete(
        ChatRequest(model="smollm2", messages=history, tools=TOOLS, tool_choice="none", max_tokens=24)
    )
    assert answered.text and answered.tool_calls is None
    again = await local.complete(ask("And in Bergen?", "required", *history))
    assert [allowed(c) for c in again.tool_calls or []] == [True]


async def test_a_token_limit_before_the_json_closes_says_length(local: ChatProvider) -> None:
    result = await local.complete(ask("Turn on the kitchen lights.", max_tokens=4))
    assert (result.text, result.tool_calls, result.finish_reason) == ("", None, "length")
    assert result.usage.output_tokens == 4


@pytest.mark.parametrize(
    "schema, refusal",
    [
        ({"type": "object", "properties": {"note": {"type": "string", "maxLength": 5000}}}, "up to 256"),
        ({"type": "object", "properties": {"n": {"type": "array", "maxItems": 100000}}}, "up to 256"),
        ({"type": "object", "properties": {"code": {"type": "string", "pattern": "^a{1,9999}$"}}}, "up to 256"),
        ({"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(65)}}, "up to 64 properties"),
        (
            {"type": "object", "properties": {"a": {"$ref": "#/properties/b"}, "b": {"type": "string"}}},
            "only to \\$defs",
        ),
        (
            {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"$ref": "#/$defs/a"}}},
            "leads back",
        ),
        (
            {"type": "object", "properties": {"d": {"type": "string", "pattern": "^\\d{3}$"}}},
            "cannot follow these tools",
        ),
    ],
)
async def test_schemas_past_the_local_limits_are_refused_and_the_process_lives(
    local: ChatProvider, schema: dict[str, Any], refusal: str
) -> None:
    """Each of these crashed llama.cpp (a segfault: the whole server gone): a string of thousands of
    optional characters, a `$ref` back to itself, a pattern escape its grammar parser does not know.
    They are refused before llama.cpp generates with them."""
    hostile = ToolSpec(name="hostile", parameters=schema)
    request = ChatRequest(model="smollm2", messages=[ChatMessage(role="user", content="Hi")], tools=[hostile])
    with pytest.raises(ProviderRequestError, match=refusal):
        await local.complete(request)
    assert (await local.complete(ask("Turn on the kitchen lights."))).tool_calls  # still here, still working


async def test_choosing_runs_on_the_generation_thread_and_takes_a_turn_in_the_queue(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real = local_module.grammar

    def watched(tools: list[ToolSpec], choice: str) -> str:
        threads.append(threading.current_thread().name)
        return real(tools, choice)

    monkeypatch.setattr(local_module, "grammar", watched)
    provider = local_provider(data_dir, per_member="1")
    first = asyncio.ensure_future(provider.complete(ask("Remind me to call grandma.")))
    await asyncio.sleep(0.2)  # admitted, and running
    with pytest.raises(RateLimited):  # one request per member at a time: the choice holds the model
        await provider.complete(ask("Turn on the kitchen lights."))
    assert (await first).tool_calls
    await provider.aclose()
    assert threads == ["atom-local-llm_0"] and threading.current_thread().name not in threads


def test_no_schema_that_passes_the_checks_crashes_llama_cpp(data_dir: Path) -> None:
    """Random schemas through the checks, the grammar, llama.cpp's parser and sampling, in a process
    of their own: a crash there is a failed test here, not a lost test run."""
    model = require_model(data_dir, "smollm2").path(data_dir)
    run = subprocess.run(
        [sys.executable, "-m", "tests.ai.grammar_fuzz", str(model), "60"],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=Path(__file__).parents[2],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    counts = json.loads(run.stdout.strip().splitlines()[-1])
    assert counts["sampled"] > 20, counts  # most schemas reached llama.cpp
