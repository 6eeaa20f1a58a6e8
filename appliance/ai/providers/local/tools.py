"""Tool calling on the local model: grammar-constrained JSON.

With tools, the model first writes one JSON object, held by a GBNF grammar (built by llama.cpp
from a JSON Schema) to `{"tool": <a tool's name>, "arguments": <that tool's parameters>}`, or to
`{"tool": "none", "arguments": {}}` when it may answer in words; a system prompt lists the
tools. A named tool becomes a ToolCall; "none" is followed by an ordinary reply. tool_choice
"required" leaves "none" out, a tool's name leaves only that tool, "none" skips the JSON.

Chat templates know no tool turns, so the history is rewritten as plain turns: an assistant's
calls as the same JSON, results as a user turn ("Result of get_weather: ...").

Two kinds of schema crash llama.cpp's grammar code, and with it the whole process: a bounded
string of a few thousand optional characters (its parser recurses once per character), and a
`$ref` that leads back to itself (`a ::= a`, which it never leaves). So counts are limited here
(MAX_COUNT), references may not form a cycle, and a schema past these limits is a request error,
never sent to llama.cpp. Everything here runs on the generation thread.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import msgspec

from appliance.ai.providers.base import ChatMessage, ToolCall, ToolSpec
from appliance.ai.providers.tools import new_call_id
from appliance.errors import ProviderRequestError, ProviderUnavailable

__all__ = ["NONE", "MAX_COUNT", "decides_tools", "tool_turns", "plain_turns", "grammar", "read_choice"]

NONE = "none"  # the model's "no tool": answer in words
MAX_COUNT = 256  # the largest maxLength, maxItems, ... or {n} in a pattern the grammar may hold
MAX_PROPERTIES = 64  # per object: each optional one nests the grammar a level deeper
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_REPEAT = re.compile(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")
_LOCAL_REF = re.compile(r"#/(?:\$defs|definitions)/([^/]+)")


def decides_tools(tools: list[ToolSpec] | None, choice: str) -> bool:
    """Whether the model writes the tool JSON first (it does not with no tools, or tool_choice "none")."""
    return bool(tools) and choice != NONE


def tool_turns(messages: list[ChatMessage], tools: list[ToolSpec], choice: str) -> list[ChatMessage]:
    """The conversation as plain turns, with the tools' instructions in front of the system prompt."""
    turns = plain_turns(messages)
    prompt = _instructions(_offered(tools, choice), may_decline=choice == "auto")
    if turns and turns[0].role == "system":  # some templates take one system turn, first
        return [ChatMessage(role="system", content=f"{prompt}\n\n{turns[0].content}"), *turns[1:]]
    return [ChatMessage(role="system", content=prompt), *turns]


def plain_turns(messages: list[ChatMessage]) -> list[ChatMessage]:
    """Tool calls and results as text a chat template takes; results of one batch in one user turn."""
    names = {call.id: call.name for m in messages for call in m.tool_calls or []}
    turns: list[ChatMessage] = []
    for previous, message in zip([None, *messages], messages, strict=False):
        turn = _plain(message, names)
        if message.role == "tool" and previous is not None and previous.role == "tool":
            turn = ChatMessage(role="user", content=f"{turns.pop().content}\n{turn.content}")
        turns.append(turn)
    return turns


def grammar(tools: list[ToolSpec], choice: str) -> str:
    """The GBNF grammar of the tool JSON (ProviderRequestError if a schema is past the local limits)."""
    offered = _offered(tools, choice)
    for tool in offered:
        _check_limits(tool.name, tool.parameters)
    schema = _reply_schema(offered, may_decline=choice == "auto")
    _check_acyclic(schema.get("$defs", {}))
    return _gbnf(msgspec.json.encode(schema).decode())


def read_choice(text: str, tools: list[ToolSpec]) -> ToolCall | None:
    """The call the model's JSON names, or None for "none"; ProviderUnavailable if it is unfinished."""
    try:
        chosen = json.loads(text, strict=False)  # a raw newline in a string is the grammar's, not an error
    except json.JSONDecodeError:
        chosen = None
    names = {tool.name for tool in tools}
    if not (isinstance(chosen, dict) and isinstance(chosen.get("arguments"), dict)):
        raise ProviderUnavailable("the local model's tool call was cut off before it was complete", "local")
    if chosen.get("tool") == NONE:
        return None
    if chosen.get("tool") not in names:
        raise ProviderUnavailable("the local model named a tool it was not offered", "local")
    return ToolCall(id=new_call_id(), name=chosen["tool"], arguments=chosen["arguments"])


# --- prompts and turns ----------------------------------------------------------------


def _offered(tools: list[ToolSpec], choice: str) -> list[ToolSpec]:
    return [tool for tool in tools if choice in ("auto", "required", tool.name)]


def _instructions(tools: list[ToolSpec], *, may_decline: bool) -> str:
    # Worded as the variant SmolLM2-135M chose best with, on a handful of household requests.
    lines = ['Choose the tool for the user\'s request and reply in JSON: {"tool": name, "arguments": {...}}.', "Tools:"]
    for tool in tools:
        schema = msgspec.json.encode(tool.parameters).decode()
        lines.append(f"{tool.name}: {tool.description.rstrip('.') or tool.name}. Arguments: {schema}")
    if may_decline:
        lines.append(f"{NONE}: no tool fits; answer in words.")
    return "\n".join(lines)


def _plain(message: ChatMessage, names: dict[str, str]) -> ChatMessage:
    if message.role == "tool":
        name = names.get(message.tool_call_id or "", "the tool")
        return ChatMessage(role="user", content=f"Result of {name}: {message.content}")
    if not message.tool_calls:
        return ChatMessage(role=message.role, content=message.content)
    calls = [msgspec.json.encode({"tool": c.name, "arguments": c.arguments}).decode() for c in message.tool_calls]
    return ChatMessage(role="assistant", content="\n".join([message.content, *calls]).strip())


# --- the schema of the reply, and its grammar -------------------------------------------


def _reply_schema(tools: list[ToolSpec], *, may_decline: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    choices = [_choice({"const": t.name}, _hoisted(i, t.parameters, definitions)) for i, t in enumerate(tools)]
    if may_decline:
        choices.append(_choice({"const": NONE}, {"type": "object", "properties": {}, "additionalProperties": False}))
    return {"oneOf": choices, "$defs": definitions} if definitions else {"oneOf": choices}


def _choice(tool: dict[str, Any], arguments: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"tool": tool, "arguments": arguments},
        "required": ["tool", "arguments"],
        "additionalProperties": False,
    }


def _hoisted(index: int, schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its own `$defs` moved to the reply schema's, renamed so tools cannot clash."""
    own = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    for name, sub in own.items():
        definitions[f"t{index}-{name}"] = _rewritten(index, sub)
    rest = {key: value for key, value in schema.items() if key not in ("$defs", "definitions")}
    rewritten: dict[str, Any] = _rewritten(index, rest)
    return rewritten


def _rewritten(index: int, node: Any) -> Any:
    if isinstance(node, list):
        return [_rewritten(index, item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _rewritten(index, value) for key, value in node.items()}
    if isinstance(ref := node.get("$ref"), str):
        found = _LOCAL_REF.fullmatch(ref)
        if not found:
            raise ProviderRequestError(f"the local model can follow $ref only to $defs, not {ref[:60]!r}", "local")
        copied["$ref"] = f"#/$defs/t{index}-{found.group(1)}"
    return copied


def _check_limits(tool: str, schema: Any) -> None:
    for node in _nodes(schema):
        counts = [node.get(key) for key in _COUNTS]
        pattern = node["pattern"] if isinstance(node.get("pattern"), str) else ""
        counts += [int(n) for found in _REPEAT.findall(pattern) for n in found if n]
        if any(isinstance(n, int) and n > MAX_COUNT for n in counts) or len(pattern) > MAX_COUNT:
            raise ProviderRequestError(
                f"tool {tool}: the local model follows lengths, counts and patterns of up to {MAX_COUNT}", "local"
            )
        if isinstance(node.get("properties"), dict) and len(node["properties"]) > MAX_PROPERTIES:
            raise ProviderRequestError(
                f"tool {tool}: the local model follows objects of up to {MAX_PROPERTIES} properties", "local"
            )


def _check_acyclic(definitions: dict[str, Any]) -> None:
    """ProviderRequestError if following `$ref`s from a definition can lead back to it."""
    refers = {name: _referred(sub) for name, sub in definitions.items()}
    done: set[str] = set()
    for start in (name for name in refers if name not in done):
        path, stack = set[str](), [(start, iter(refers[start]))]
        path.add(start)
        while stack:
            name, rest = stack[-1]
            following = next(rest, None)
            if following is None:
                stack.pop()
                path.discard(name)
                done.add(name)
            elif following in path:
                raise ProviderRequestError(
                    "the local model cannot follow a schema whose $ref leads back to itself", "local"
                )
            elif following not in done and following in refers:
                path.add(following)
                stack.append((following, iter(refers[following])))


def _referred(schema: Any) -> set[str]:
    refs = (node["$ref"] for node in _nodes(schema) if isinstance(node.get("$ref"), str))
    return {ref.removeprefix("#/$defs/") for ref in refs}


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


@functools.lru_cache(maxsize=32)
def _gbnf(schema: str) -> str:
    """The grammar of a JSON Schema, made once per distinct set of tools."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        return json_schema_to_gbnf(schema)
    except Exception as exc:  # the converter's asserts and lookups; its messages name the schema's part
        raise ProviderRequestError(
            f"the local model cannot follow these tools' schemas ({exc})"[:300], "local"
        ) from None
