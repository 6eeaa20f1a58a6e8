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
# What tiny.en makes of the end of "Atom" a satellite sends before a command said in the same breath
# (the detector's estimate keeps ~0.15 s of it): "And play some music.", "and turn off the kitchen
# lights." in about one in ten held-out clips (see models/wake/phrase_end.py). It is dropped only
# before more words, and no template of the matcher begins with it.
_WAKE_TAILS = ("and",)
_SEPARATORS = " ,.!?;:-"


def strip_wake_word(transcript: str) -> str:
    """The command without the wake word it began with ("Atom, add milk…" → "add milk…"), nor the
    "and" the recogniser may hear in the wake word's last sound ("And play some music" → "play…")."""
    text = transcript.strip()
    for form in _WAKE_FORMS:
        if _starts_with(text, form):
            text = text[len(form) :].lstrip(_SEPARATORS).strip()
            break
    for tail in _WAKE_TAILS:
        rest = text[len(tail) :].lstrip(_SEPARATORS)
        if _starts_with(text, tail) and rest:
            return rest.strip()
    return text


def _starts_with(text: str, word: str) -> bool:
    lowered = text.lower()
    return lowered == word or (lowered.startswith(word) and not lowered[len(word)].isalnum())


_LINK = re.compile(r"\[([^\[\]\n]+)\]\([^()\s]+\)")


def spoken_words(reply: str) -> str:
    """A reply written for the chat (Markdown links to sources) as words to say: a link's label only."""
    return _LINK.sub(r"\1", reply)
