"""What Atom tells a model about itself: who it is, whose home, when, and what it can do yet.

The "can do" lines come from the tool registry, so the description stays true as tools land or
go; the "cannot do yet" examples are named only while no tool of that kind exists. Household
names are data, not instructions: each is cut to one short line before it is said, and they go
only to a model in the house: the one on this box, or a household key's server an admin placed on
the household's own network (the other members' names are theirs, not a cloud provider's).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from appliance.accounts import users
from appliance.assistant.context import ToolContext
from appliance.assistant.registry import tools

__all__ = ["abilities", "not_yet", "describe", "describe_for", "household_note", "household_line"]

# Answers to Atom's own questions (and `help` itself): how to talk to Atom, not things it does.
_NOT_ABILITIES = frozenset({"confirm", "deny", "cancel", "stop", "help"})
# Things people ask for that no tool does yet, keyed by the word a tool doing it would have in its name.
_NOT_YET = {
    "email": "read or send email",
    "message": "send messages to people",
    "web": "look things up on the internet",
    "light": "switch lights, heating or other devices",
    "shop": "order or pay for things",
}
_NAME_CHARS = 40


def abilities() -> list[str]:
    """One line per thing Atom can do, in the tools' own words."""
    return [t.manifest.description for t in tools().values() if t.name not in _NOT_ABILITIES]


def not_yet() -> list[str]:
    """Common requests no tool serves yet."""
    names = " ".join(tools())
    return [said for word, said in _NOT_YET.items() if word not in names]


async def describe(ctx: ToolContext, *, tools_offered: bool) -> str:
    """The system description for a model answering `ctx`'s member.

    With the tools offered in the same request, their own descriptions are the "can do" list
    (the local model's prompt spells each one out): repeating them would only crowd its small
    context window. Without tools, the list is written out here."""
    speaker = ctx.principal.display_name or ctx.principal.username
    return describe_for(speaker, ctx.now, ctx.zone, ctx.room, list_abilities=not tools_offered)


async def household_note(ctx: ToolContext) -> str:
    """Who lives here: for a model in the house only (`ChatRequest.local_note`), never a cloud one."""
    members = [u.display_name or u.username for u in await users.list_users(ctx.services.db) if not u.disabled]
    return household_line(members)


def household_line(members: list[str]) -> str:
    return f"Household members: {', '.join(_one_line(m) for m in members)}."


def describe_for(speaker: str, now: datetime, zone: tzinfo, room: str | None = None, *, list_abilities: bool) -> str:
    where = f" in the {_one_line(room)}" if room else ""
    can = ["What you can do:", *(f"- {line}" for line in abilities())] if list_abilities else []
    scope = "listed above" if list_abilities else "one of your tools"
    lines = [
        "You are Atom, the household's assistant, running on a small box in their home (not in the cloud).",
        f"You are talking with {_one_line(speaker)}{where}.",
        f"It is {now.strftime('%A %d %B %Y, %H:%M')}, time zone {zone}.",
        *(can or ["What you can do is exactly what your tools do."]),
        f"You cannot yet {_joined(not_yet())}, or anything else that is not {scope}."
        if not_yet()
        else f"You cannot do anything that is not {scope}.",
        "When asked for something you cannot do, say plainly that Atom cannot do that yet; never pretend to.",
        "When the request is something one of the tools does, call that tool; otherwise answer briefly in words.",
    ]
    return "\n".join(lines)


def _one_line(name: str) -> str:
    return " ".join(name.split())[:_NAME_CHARS]


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]
