"""What voice needs from the rest of Atom, given to it by the server (voice never imports an edge)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

import msgspec

from appliance.voice.satellites import SatelliteIdentity

__all__ = ["Spoken", "Assistant", "strip_wake_word", "spoken_words"]


class Spoken(msgspec.Struct, frozen=True, kw_only=True):
    """What Atom answers to a spoken command."""

    text: str
    tool: str
    acted: bool
    stop: bool = False
    """The command was "stop": silence this satellite (a reply, a ringing timer)."""


class Assistant(Protocol):
    async def words(self, who: SatelliteIdentity | None) -> Sequence[str]:
        """The household words that bias recognition, as `who` may see them (None: the household)."""
        ...

    async def act(self, who: SatelliteIdentity, text: str) -> Spoken:
        """Act on a command as `who`, in its room, and say what to reply."""
        ...


_WAKE_FORMS = ("atom", "adam")  # how a recogniser may still spell it, as the first word only


def strip_wake_word(transcript: str) -> str:
    """The command without the wake word it began with ("Atom, add milk…" → "add milk…")."""
    text = transcript.strip()
    lowered = text.lower()
    for form in _WAKE_FORMS:
        if lowered == form or (lowered.startswith(form) and not lowered[len(form)].isalnum()):
            return text[len(form) :].lstrip(" ,.!?;:-").strip()
    return text


_LINK = re.compile(r"\[([^\[\]\n]+)\]\([^()\s]+\)")


def spoken_words(reply: str) -> str:
    """A reply written for the chat (Markdown links to sources) as words to say: a link's label only."""
    return _LINK.sub(r"\1", reply)
