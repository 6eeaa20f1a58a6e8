"""The chat coordinator: one conversation that acts across Atom.

A member's message is understood by the matcher (sentence templates) or, failing that, by a model
offered Atom's tools; the chosen tool (a plugin folder in `tools/`) acts; the answer is kept in
the conversation. See coordinator.py for the flow and tools/__init__.py for a tool's files.
"""

from appliance.assistant.context import Services, ToolContext, ToolReply
from appliance.assistant.conversation import AssistReply, assist
from appliance.assistant.coordinator import CHAT, Coordinator, Outcome, Understanding
from appliance.assistant.household import household_words
from appliance.assistant.timers import TimerBoard

__all__ = [
    "CHAT",
    "AssistReply",
    "Coordinator",
    "Outcome",
    "Services",
    "TimerBoard",
    "ToolContext",
    "ToolReply",
    "Understanding",
    "assist",
    "household_words",
]
