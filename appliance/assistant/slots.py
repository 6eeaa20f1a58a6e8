"""The words a sentence template's {slots} may take.

Some are fixed (numbers in a range, free text); some are the household's own and change as it
does (member names, list names): those are read fresh for each request and handed to the
matcher, so "add eggs to Robin's list" works the moment the list exists.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FIXED_SLOTS", "DYNAMIC_SLOTS"]

# Free text: matched by what surrounds it in the sentence.
_WILDCARDS = ("item", "text", "query", "title", "task", "event", "question", "when", "body", "name", "list_name")

FIXED_SLOTS: dict[str, Any] = {
    **{name: {"wildcard": True} for name in _WILDCARDS},
    "hours": {"range": {"from": 1, "to": 48}},
    "minutes": {"range": {"from": 1, "to": 240}},
    "seconds": {"range": {"from": 1, "to": 3600}},
    "priority": {"values": ["low", "normal", "high", "urgent"]},
}

# Filled per request from the household (see coordinator._slot_lists).
DYNAMIC_SLOTS = ("list", "member")
