"""The fast tier: the household's everyday commands matched against sentence templates, no LLM.

Built on hassil (Home Assistant's intent matcher): every tool's `sentences` become one intent,
the slot lists come from `slots.py` plus the household's own names. A match takes milliseconds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from hassil import Intents, RecognizeResult, recognize_all
from hassil.intents import SlotList, TextSlotList

from appliance.assistant.registry import tools
from appliance.assistant.slots import DYNAMIC_SLOTS, FIXED_SLOTS
from appliance.assistant.when import is_time_phrase

__all__ = ["Match", "match"]

_PUNCTUATION = re.compile(r"[?!.,;]+$")
_COLON = re.compile(r"\s*:\s*")  # "shopping list: eggs" reads as "shopping list eggs"
# Politeness around a command changes nothing it asks for: "could you please add eggs ... thanks"
_POLITE_START = re.compile(r"^(please|(could|can|would|will) you( please)?)\s+", re.IGNORECASE)
_POLITE_END = re.compile(r"\s+(please|thanks|thank you|cheers)$", re.IGNORECASE)
_WILDCARD_CONFIDENCE = 0.85  # a template with free text can swallow more than it should
_ANY_MOMENT = datetime(2026, 1, 5, 12, tzinfo=UTC)  # only whether a phrase is a time matters here


class Match(msgspec.Struct, frozen=True, kw_only=True):
    tool: str
    arguments: dict[str, Any]
    confidence: float


def match(text: str, household: Mapping[str, Sequence[str]]) -> Match | None:
    """The tool and arguments `text` asks for, or None when no template fits."""
    cleaned = _plain(text)
    if not cleaned:
        return None
    slot_lists: dict[str, SlotList] = {
        # allow_template=False: a list called "(weird|name)" is a name, never template syntax
        name: TextSlotList.from_strings(household.get(name) or ["\x00"], allow_template=False)
        for name in DYNAMIC_SLOTS
    }
    results = [r for r in recognize_all(cleaned, _intents(), slot_lists=slot_lists) if _sensible(r)]
    if not results:
        return None
    best = min(results, key=_free_text)  # "set a timer for 10 minutes" is not a timer named "a"
    arguments = {name: _value(entity.value) for name, entity in best.entities.items()}
    wild = _free_text(best) > 0
    return Match(tool=best.intent.name, arguments=arguments, confidence=_WILDCARD_CONFIDENCE if wild else 1.0)


def _plain(text: str) -> str:
    """The command without trailing punctuation, colons or the politeness around it."""
    cleaned = _COLON.sub(" ", _PUNCTUATION.sub("", text.strip()))
    return _POLITE_END.sub("", _POLITE_START.sub("", cleaned)).strip()


def _sensible(result: RecognizeResult) -> bool:
    """A {when} must be all time ("what's on my plate today" is not a question about "my plate today")."""
    when = result.entities.get("when")
    return when is None or is_time_phrase(str(when.value), _ANY_MOMENT)


def _free_text(result: RecognizeResult) -> int:
    """How many characters free-text slots took: the fewer, the more the template itself matched."""
    return sum(len(str(e.text)) for name, e in result.entities.items() if FIXED_SLOTS.get(name, {}).get("wildcard"))


@functools.cache
def _intents() -> Intents:
    intents = {
        name: {"data": [{"sentences": tool.manifest.sentences}]}
        for name, tool in tools().items()
        if tool.manifest.sentences
    }
    lists = {**FIXED_SLOTS, **{name: {"values": ["\x00"]} for name in DYNAMIC_SLOTS}}
    return Intents.from_dict({"language": "en", "intents": intents, "lists": lists})


def _value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.strip() if isinstance(value, str) else value
