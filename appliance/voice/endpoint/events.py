"""Atom's own Wyoming events: pairing a satellite and running its commands.

Each is a tagged msgspec Struct whose tag is its Wyoming event type, so the fields and the wire
form cannot drift apart. Standard events stay the `wyoming` package's.

    satellite                    server
    atom-hello {token}      →
                            ←    atom-welcome {name, room, speaker, wake, follow_up_seconds}
    atom-listen {reason}    →    (push-to-talk, or the follow-up window after a reply)
    audio-start, audio-chunk… →
                            ←    voice-started, voice-stopped (end of speech)
                            ←    transcript {text}
                            ←    atom-reply {text, tool, follow_up_seconds, timings}, then its audio
                            ←    atom-idle {reason} (nothing to do), atom-stop (stop playing now)
                            ←    atom-announce {text, kind}, then its audio (timers, reminders)
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from wyoming.event import Event

__all__ = [
    "AnnounceKind",
    "AtomEvent",
    "Hello",
    "Welcome",
    "Listen",
    "Reply",
    "Idle",
    "Stop",
    "Announce",
    "to_event",
    "from_event",
    "is_atom_event",
]


class AtomEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    pass


class Hello(AtomEvent, frozen=True, kw_only=True, tag="atom-hello"):
    token: str
    name: str = ""  # what the device calls itself, for the logs


class Welcome(AtomEvent, frozen=True, kw_only=True, tag="atom-welcome"):
    satellite_id: str
    name: str
    room: str
    speaker: str  # "Household" or the member's display name
    wake: bool  # whether the server knows a wake-word model (satellites then run their own)
    follow_up_seconds: float
    wake_head: list[float] | None = None  # the member's enrolled last layer (64 weights, then the bias)


class Listen(AtomEvent, frozen=True, kw_only=True, tag="atom-listen"):
    reason: Literal["push-to-talk", "wake", "follow-up"] = "push-to-talk"


class Reply(AtomEvent, frozen=True, kw_only=True, tag="atom-reply"):
    text: str
    tool: str
    follow_up_seconds: float
    timings: dict[str, float] = {}  # milliseconds per stage since the end of speech


class Idle(AtomEvent, frozen=True, kw_only=True, tag="atom-idle"):
    reason: str


class Stop(AtomEvent, frozen=True, kw_only=True, tag="atom-stop"):
    pass


AnnounceKind = Literal["timer", "reminder"]


class Announce(AtomEvent, frozen=True, kw_only=True, tag="atom-announce"):
    text: str
    kind: AnnounceKind


_ALL = Hello | Welcome | Listen | Reply | Idle | Stop | Announce
_TYPES = frozenset(cls.__struct_config__.tag for cls in (Hello, Welcome, Listen, Reply, Idle, Stop, Announce))


def is_atom_event(event: Event) -> bool:
    return event.type in _TYPES


def to_event(message: AtomEvent) -> Event:
    data: dict[str, Any] = msgspec.to_builtins(message)
    return Event(type=data.pop("type"), data=data)


def from_event(event: Event) -> AtomEvent:
    """The typed event; msgspec.ValidationError when its data does not fit."""
    return msgspec.convert({**(event.data or {}), "type": event.type}, _ALL)
