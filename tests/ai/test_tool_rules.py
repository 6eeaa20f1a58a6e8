"""The rules for tools, without a model or a server: what `check_tools` lets through (and that
nothing it is given makes it fail any other way), and the local model's grammar and turns."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.ai.providers.base import ChatMessage, ChatRequest, ToolCall, ToolSpec
from appliance.ai.providers.local import tools as local_tools
from appliance.ai.providers.tools import arguments_from_json, check_tools
from appliance.errors import InvalidInput, ProviderRequestError, ProviderUnavailable


def request(*tools: ToolSpec, choice: str = "auto", messages: list[ChatMessage] | None = None) -> ChatRequest:
    turns = messages or [ChatMessage(role="user", content="Hi")]
    return ChatRequest(model="m", messages=turns, tools=list(tools) or None, tool_choice=choice)


def tool(parameters: Any, name: str = "t") -> ToolSpec:
    return ToolSpec(name=name, parameters=parameters)


GOOD = [
    {"type": "object"},
    {"type": "object", "properties": {"city": {"type": "string", "description": "A city"}}, "required": ["city"]},
    {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5}}},
    {"type": "object", "properties": {"when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}}},
    {"type": "object", "properties": {"unit": {"enum": ["C", "F"]}, "n": {"type": ["integer", "null"]}}},
    {"type": "object", "properties": {"a": {"$ref": "#/$defs/A"}}, "$defs": {"A": {"type": "boolean"}}},
    {"type": "object", "properties": {"x": True}, "additionalProperties": False},
]


@pytest.mark.parametrize("parameters", GOOD)
def test_schemas_every_vendor_takes_pass(parameters: dict[str, Any]) -> None:
    check_tools(request(tool(parameters)))


def test_json_nested_deep_inside_unknown_keywords_is_refused() -> None:
    deep: Any = "end"
    for _ in range(40):
        deep = [deep]
    with pytest.raises(InvalidInput, match="nests deeper than 32"):
        check_tools(request(tool({"type": "object", "x-notes": deep})))


def test_a_type_list_holding_objects_is_refused_not_crashed_on() -> None:
    with pytest.raises(InvalidInput, match="type must be one of"):
        check_tools(request(tool({"type": "object", "properties": {"a": {"type": [{}]}}})))


def test_tool_turns_must_pair_up() -> None:
    call = ToolCall(id="c1", name="t", arguments={})
    asked = ChatMessage(role="assistant", content="", tool_calls=[call])
    answer = ChatMessage(role="tool", content="done", tool_call_id="c1")
    check_tools(request(tool({"type": "object"}), messages=[ChatMessage(role="user", content="Go"), asked, answer]))
    with pytest.raises(InvalidInput, match="must answer a tool call"):
        check_tools(request(tool({"type": "object"}), messages=[answer, asked]))  # the answer came first


def test_vendor_arguments_must_be_a_json_object() -> None:
    assert arguments_from_json(' {"a": [1]} ', "openai") == {"a": [1]}
    assert arguments_from_json("", "openai") == {}  # a call without arguments
    for bad in ("[1]", '{"a": ', "null"):
        with pytest.raises(ProviderUnavailable, match="not a JSON object"):
            arguments_from_json(bad, "openai")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["object", "string", "integer", "array", "#/$defs/a", "^a{1,9}$", "$ref", "properties"])
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "properties",
                    "items",
                    "required",
                    "enum",
                    "anyOf",
                    "oneOf",
                    "$ref",
                    "$defs",
                    "maxLength",
                    "pattern",
                    "a",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(properties=JSON)
def test_no_schema_fails_the_checks_in_any_other_way(properties: Any) -> None:
    """Whatever arrives, the edge's check says yes or InvalidInput, and the local grammar a
    string or ProviderRequestError: never a crash that would be a 500 or stop the model's thread."""
    pytest.importorskip("llama_cpp")
    spec = tool({"type": "object", "properties": {"p": properties}, "$defs": {"a": properties}})
    try:
        check_tools(request(spec))
    except InvalidInput:
        return
    try:
        assert isinstance(local_tools.grammar([spec], "auto"), str)
    except ProviderRequestError:
        pass


# --- the local model's side ---------------------------------------------------------------


def test_tool_turns_become_turns_a_chat_template_takes() -> None:
    calls = [ToolCall(id="a", name="get_weather", arguments={"city": "Oslo"}), ToolCall(id="b", name="get_time")]
    turns = local_tools.plain_turns(
        [
            ChatMessage(role="user", content="Weather and time?"),
            ChatMessage(role="assistant", content="", tool_calls=calls),
            ChatMessage(role="tool", content="Sunny", tool_call_id="a"),
            ChatMessage(role="tool", content="noon", tool_call_id="b"),
            ChatMessage(role="user", content="Thanks"),
        ]
    )
    assert [(t.role, t.content) for t in turns] == [
        ("user", "Weather and time?"),
        ("assistant", '{"tool":"get_weather","arguments":{"city":"Oslo"}}\n{"tool":"get_time","arguments":{}}'),
        ("user", "Result of get_weather: Sunny\nResult of get_time: noon"),
        ("user", "Thanks"),
    ]


def test_the_tools_prompt_joins_the_system_prompt() -> None:
    weather = tool({"type": "object"}, name="get_weather")
    turns = local_tools.tool_turns(
        [ChatMessage(role="system", content="Be brief."), ChatMessage(role="user", content="Hi")], [weather], "auto"
    )
    assert [t.role for t in turns] == ["system", "user"]
    assert "get_weather" in turns[0].content and turns[0].content.endswith("Be brief.")
    assert "none: no tool fits" in turns[0].content
    required = local_tools.tool_turns([ChatMessage(role="user", content="Hi")], [weather], "required")
    assert "none" not in required[0].content.split("Tools:")[1]


def test_the_models_json_is_read_as_a_call_or_as_none() -> None:
    weather = tool({"type": "object"}, name="get_weather")
    call = local_tools.read_choice('{ "tool" : "get_weather", "arguments" : {"city": "a\nb"} }', [weather])
    assert call is not None and (call.name, call.arguments) == ("get_weather", {"city": "a\nb"}) and call.id
    assert local_tools.read_choice('{"tool": "none", "arguments": {}}', [weather]) is None
    with pytest.raises(ProviderUnavailable, match="cut off"):
        local_tools.read_choice('{"tool": "get_weather", "argu', [weather])
    with pytest.raises(ProviderUnavailable, match="not offered"):
        local_tools.read_choice('{"tool": "rm_rf", "arguments": {}}', [weather])


@pytest.mark.parametrize(
    "definitions",
    [
        {"a": {"$ref": "#/$defs/a"}},  # a ::= a
        {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "string"}]}},
        {"n": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/n"}}}}},
    ],
    ids=["itself", "through-another", "a-tree"],
)
def test_references_that_lead_back_are_refused_before_llama_cpp(definitions: dict[str, Any]) -> None:
    """`a ::= a` made llama.cpp's grammar code overflow its stack (a segfault); a tree is refused too."""
    first = next(iter(definitions))
    spec = tool({"type": "object", "properties": {"x": {"$ref": f"#/$defs/{first}"}}, "$defs": definitions})
    check_tools(request(spec))  # a valid JSON Schema, which a cloud model may be given
    with pytest.raises(ProviderRequestError, match="leads back to itself"):
        local_tools.grammar([spec], "auto")


def test_each_tools_definitions_keep_to_their_tool() -> None:
    """Two tools may both define `V`; each tool's arguments follow its own."""
    pytest.importorskip("llama_cpp")
    one = tool(
        {"type": "object", "properties": {"v": {"$ref": "#/$defs/V"}}, "$defs": {"V": {"type": "integer"}}}, "one"
    )
    two = tool(
        {"type": "object", "properties": {"v": {"$ref": "#/$defs/V"}}, "$defs": {"V": {"type": "boolean"}}}, "two"
    )
    rules = dict(line.split(" ::= ", 1) for line in local_tools.grammar([one, two], "required").splitlines())
    assert rules["alternative-0-tool"] == '"\\"one\\""' and rules["alternative-0-arguments-v"] == "integer"
    assert rules["alternative-1-tool"] == '"\\"two\\""' and rules["alternative-1-arguments-v"] == "boolean"
    assert rules["root"] == "alternative-0 | alternative-1"  # "required": no "none" to choose
