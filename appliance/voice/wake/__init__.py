"""The wake stage: where a detector for "Atom" plugs in.

Atom's own wake-word model (trained on openWakeWord's shared front end, `wake-features`) is not
shipped yet. Until it is, `find_detector` answers None, the satellite says so when it starts and
listens only when its source says a command begins (push-to-talk, an explicit audio start), and
the Wyoming `detect` service answers honestly that nothing can be detected. A detector is any
object with this shape; it sees 16 kHz mono 16-bit audio as it arrives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

__all__ = ["WakeDetector", "find_detector", "NO_WAKE_MODEL", "WAKE_MODEL"]

WAKE_MODEL = "atom-wake"  # the manifest name Atom's wake-word model will ship under
NO_WAKE_MODEL = (
    "no wake-word model for 'Atom' is installed yet: this satellite listens only on push-to-talk "
    "(a source's explicit start), never on its own"
)


class WakeDetector(Protocol):
    name: str
    """The model's name, as `describe` lists it."""
    phrase: str
    """What it listens for ("Atom")."""

    def process(self, pcm: bytes) -> bool:
        """Feed audio; True once the wake word has been heard (then `reset` before listening again)."""
        ...

    def reset(self) -> None: ...


def find_detector(data_dir: Path) -> WakeDetector | None:
    """The installed wake-word detector, or None while no model for "Atom" exists."""
    return None
