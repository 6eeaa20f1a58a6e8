"""Random tool schemas through the local model's whole grammar path, in a process of its own.

    python -m tests.ai.grammar_fuzz MODEL.gguf EXAMPLES

Each schema goes through `check_tools`, the local grammar and llama.cpp's parser probe, and
what passes them drives a few sampled tokens. A schema llama.cpp cannot take used to end the
process with a segfault, so this runs apart from pytest: test_local_tools reads its exit code
and the counts it prints as its last line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.ai.providers.base import ChatMessage, ChatRequest, ToolSpec
from appliance.ai.providers.local import tools as local_tools
from appliance.ai.providers.local.engine import load_model
from appliance.ai.providers.tools import check_tools
from appliance.errors import InvalidInput, ProviderRequestError

NAMES = st.sampled_from(["a", "b", "city", "x-y", "on"])
TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"]
PATTERNS = [None, "^[a-z]+$", "^a{1,300}$", "^(ab|c){2,5}$", "^\\d{3}-\\d{4}$", "^[^\\s]+\\.txt$", "^(a|b)*$"]


def _string(low: int, high: int, pattern: str | None) -> dict[str, Any]:
    return {"type": "string", "minLength": min(low, high), "maxLength": high} | (
        {"pattern": pattern} if pattern else {}
    )


LEAF = st.one_of(
    st.sampled_from(TYPES).map(lambda kind: {"type": kind}),
    st.lists(st.one_of(st.text(max_size=5), st.integers(-5, 5), st.booleans(), st.none()), min_size=1, max_size=4).map(
        lambda values: {"enum": values}
    ),
    st.builds(_string, st.integers(0, 300), st.integers(0, 300), st.sampled_from(PATTERNS)),
    st.builds(
        lambda a, b: {"type": "integer", "minimum": a, "maximum": b},
        st.integers(-(10**6), 10**6),
        st.integers(-(10**6), 10**6),
    ),
    st.sampled_from([{"type": "string", "format": f} for f in ("date", "time", "date-time", "uuid", "email")]),
    st.just(True),
    st.just({"$ref": "#/$defs/leaf"}),
)
SCHEMAS = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(
            lambda props, required, extra: {
                "type": "object",
                "properties": props,
                "required": sorted(props) if required else [],
                "additionalProperties": extra,
            },
            st.dictionaries(NAMES, inner, max_size=4),
            st.booleans(),
            st.booleans(),
        ),
        st.builds(
            lambda items, low, high: {"type": "array", "items": items, "minItems": min(low, high), "maxItems": high},
            inner,
            st.integers(0, 5),
            st.integers(0, 300),
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda schemas: {"anyOf": schemas}),
        st.lists(inner, min_size=1, max_size=3).map(lambda schemas: {"oneOf": schemas}),
        st.lists(inner, min_size=1, max_size=2).map(lambda schemas: {"allOf": schemas}),
    ),
    max_leaves=12,
)


def main(model_path: str, examples: int) -> dict[str, int]:
    from llama_cpp import LlamaGrammar

    model = load_model(Path(model_path), 256, 1, None)
    prompt = model.llama.tokenize(b"<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", special=True)
    counts = {"sampled": 0, "refused": 0, "unparsed": 0}

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(properties=st.dictionaries(NAMES, SCHEMAS, min_size=1, max_size=3))
    def one(properties: dict[str, Any]) -> None:
        parameters = {
            "type": "object",
            "properties": properties,
            "$defs": {"leaf": {"type": "string", "maxLength": 20}},
        }
        spec = ToolSpec(name="t", parameters=parameters)
        try:
            check_tools(ChatRequest(model="m", messages=[ChatMessage(role="user", content="x")], tools=[spec]))
            rules = local_tools.grammar([spec], "auto")
        except (InvalidInput, ProviderRequestError):
            counts["refused"] += 1
            return
        if not model.takes_grammar(rules):
            counts["unparsed"] += 1
            return
        counts["sampled"] += 1
        tokens = model.llama.generate(prompt, temp=1.0, grammar=LlamaGrammar.from_string(rules, verbose=False))
        for _, _token in zip(range(3), tokens, strict=False):
            pass

    one()
    return counts


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
