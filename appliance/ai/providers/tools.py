"""Tool calling's shared rules: what a request's tools and tool turns may hold, and small helpers
every provider uses to turn a vendor's tool calls into `ToolCall`s.

`check_tools` is the one check of a request's tools: the gateway runs it before routing, so a
bad tool is a 400 whichever provider would have answered. What it allows every vendor accepts:
names of letters, digits, `_` and `-` (starting with a letter or `_`, at most 64), parameters
that are a JSON Schema object, references only inside the schema (a `$ref` to a URL would be
fetched by some tools), and bounded size and depth.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

import msgspec

from appliance.ai.providers.base import TOOL_MODES, ChatMessage, ChatRequest, ToolSpec
from appliance.errors import InvalidInput, ProviderUnavailable

__all__ = [
    "MAX_TOOLS",
    "MAX_SCHEMA_BYTES",
    "check_tools",
    "check_schema",
    "call_names",
    "new_call_id",
    "arguments_from_json",
]

MAX_TOOLS = 128  # OpenAI's and Gemini's limit
MAX_DESCRIPTION = 4096
MAX_SCHEMA_BYTES = 16_384  # one tool's parameters, as JSON
MAX_DEPTH = 12  # schemas within schemas
MAX_NESTING = 32  # any JSON within the parameters, keywords Atom does not know included
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "contains", "propertyNames", "additionalItems")
_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
_TEXTS = ("title", "description", "pattern", "format", "$schema", "$id", "$comment")


def check_tools(request: ChatRequest) -> None:
    """InvalidInput unless the request's tools, tool_choice and tool turns make sense together."""
    tools = request.tools or []
    if len(tools) > MAX_TOOLS:
        raise InvalidInput(f"at most {MAX_TOOLS} tools may be offered at once")
    for tool in tools:
        _check_tool(tool)
    names = [tool.name for tool in tools]
    if len(set(names)) != len(names):
        raise InvalidInput("two tools have the same name")
    _check_choice(request.tool_choice, names)
    _check_turns(request.messages)


def check_schema(where: str, schema: Any, depth: int = 0) -> None:
    """InvalidInput unless `schema` is a JSON Schema Atom will pass on (see the module's docstring)."""
    if isinstance(schema, bool):  # `true` and `false` are schemas too
        return
    if not isinstance(schema, dict):
        raise InvalidInput(f"{where} must be a JSON Schema object")
    if depth > MAX_DEPTH:
        raise InvalidInput(f"{where} nests deeper than {MAX_DEPTH} levels")
    _check_type(where, schema.get("type"))
    _check_ref(where, schema.get("$ref"))
    _check_keywords(where, schema)
    for key in _SCHEMA_MAPS:
        for name, sub in _mapping(where, schema, key).items():
            check_schema(f"{where}.{key}.{name}", sub, depth + 1)
    for key in _SCHEMA_LISTS:
        for index, sub in enumerate(_listing(where, schema, key)):
            check_schema(f"{where}.{key}[{index}]", sub, depth + 1)
    for key in _SCHEMA_ONE:
        if key in schema:
            check_schema(f"{where}.{key}", schema[key], depth + 1)


def call_names(messages: Iterable[ChatMessage]) -> dict[str, str]:
    """Each tool call's id -> its tool's name, from the assistant turns that made them."""
    return {call.id: call.name for m in messages for call in m.tool_calls or []}


def new_call_id() -> str:
    """An id for a call whose vendor gave none (Gemini may not; a local model never does)."""
    return f"call_{uuid.uuid4().hex[:24]}"


def arguments_from_json(text: str, provider: str) -> dict[str, Any]:
    """A call's arguments sent as JSON text; ProviderUnavailable if they are not a JSON object."""
    try:
        arguments = msgspec.json.decode(text.strip() or "{}")
    except msgspec.DecodeError:
        arguments = None
    if not isinstance(arguments, dict):
        raise ProviderUnavailable(f"{provider}: sent a tool call whose arguments are not a JSON object", provider)
    return arguments


# --- the parts of check_tools -----------------------------------------------------


def _check_tool(tool: ToolSpec) -> None:
    if not _NAME.fullmatch(tool.name):
        raise InvalidInput(
            f"tool name {tool.name[:80]!r} is not allowed: use letters, digits, '_' and '-' "
            "(starting with a letter or '_'), at most 64"
        )
    if tool.name in TOOL_MODES:
        raise InvalidInput(f"a tool may not be called {tool.name!r}: tool_choice uses that word")
    if len(tool.description) > MAX_DESCRIPTION:
        raise InvalidInput(f"tool {tool.name}: the description is longer than {MAX_DESCRIPTION} characters")
    if len(msgspec.json.encode(tool.parameters)) > MAX_SCHEMA_BYTES:
        raise InvalidInput(f"tool {tool.name}: the parameters' schema is larger than {MAX_SCHEMA_BYTES} bytes")
    if _nesting(tool.parameters) > MAX_NESTING:
        raise InvalidInput(f"tool {tool.name}: the parameters' schema nests deeper than {MAX_NESTING} levels")
    if tool.parameters.get("type") != "object":
        raise InvalidInput(f'tool {tool.name}: parameters must be a JSON Schema with "type": "object"')
    check_schema(f"tool {tool.name}: parameters", tool.parameters)


def _check_choice(choice: str, names: list[str]) -> None:
    if choice in ("auto", "none"):
        return
    if not names:
        raise InvalidInput(f"tool_choice {choice[:80]!r} needs tools")
    if choice != "required" and choice not in names:
        raise InvalidInput(f"tool_choice names {choice[:80]!r}, which is not one of the tools")


def _check_turns(messages: list[ChatMessage]) -> None:
    made: set[str] = set()
    for message in messages:
        if message.tool_calls and message.role != "assistant":
            raise InvalidInput("only an assistant turn may carry tool calls")
        for call in message.tool_calls or []:
            if not call.id or len(call.id) > 256 or not _NAME.fullmatch(call.name):
                raise InvalidInput("a tool call in the history needs an id and a tool name")
            made.add(call.id)
        if message.role == "tool" and message.tool_call_id not in made:
            raise InvalidInput("a tool result must answer a tool call made earlier in the conversation")


def _nesting(value: Any) -> int:
    """How deep `value` nests, counted without recursion (so any depth can be measured)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _check_type(where: str, kind: Any) -> None:
    kinds = [kind] if isinstance(kind, str) else kind
    known = isinstance(kinds, list) and bool(kinds) and all(isinstance(k, str) and k in _TYPES for k in kinds)
    if kind is not None and not known:
        raise InvalidInput(f"{where}: type must be one of {', '.join(sorted(_TYPES))}")


def _check_ref(where: str, ref: Any) -> None:
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
        raise InvalidInput(f"{where}: $ref may only point inside the schema (#/...)")


def _check_keywords(where: str, schema: dict[str, Any]) -> None:
    for key in _COUNTS:
        value = schema.get(key)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise InvalidInput(f"{where}: {key} must be a whole number")
    for key in _TEXTS:
        if key in schema and not isinstance(schema[key], str):
            raise InvalidInput(f"{where}: {key} must be text")
    required = schema.get("required")
    if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
        raise InvalidInput(f"{where}: required must be a list of property names")
    enum = schema.get("enum")
    if enum is not None and not (isinstance(enum, list) and enum):
        raise InvalidInput(f"{where}: enum must be a list of values")


def _mapping(where: str, schema: dict[str, Any], key: str) -> dict[str, Any]:
    value = schema.get(key, {})
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: {key} must map names to schemas")
    return value


def _listing(where: str, schema: dict[str, Any], key: str) -> list[Any]:
    value = schema.get(key, [])
    if not isinstance(value, list) or (key in schema and not value):
        raise InvalidInput(f"{where}: {key} must be a list of schemas")
    return value
