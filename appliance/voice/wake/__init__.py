"""The wake stage: Atom's own detector for "Atom" and "Hey Atom".

The model (`atom-wake`, trained by `models/wake/train.py`) is a small classifier over openWakeWord's
shared front end (`wake-features`). `find_detector` answers a fresh detector per listener when both
are installed, else None: the satellite then says so and listens only on push-to-talk, and the
Wyoming `detect` service answers that nothing can be detected. Detectors see 16 kHz mono 16-bit
audio as it arrives, in any chunk size; they score every 80 ms frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from appliance.voice.wake.detector import REFRACTORY_SECONDS, Detector, threshold_for
from appliance.voice.wake.model import FEATURES_MODEL, WAKE_MODEL, WakeModel, load_wake_model

__all__ = [
    "WakeDetector",
    "Detector",
    "WakeModel",
    "find_detector",
    "load_wake_model",
    "threshold_for",
    "NO_WAKE_MODEL",
    "WAKE_MODEL",
    "FEATURES_MODEL",
    "REFRACTORY_SECONDS",
]

NO_WAKE_MODEL = (
    "no wake-word model for 'Atom' is installed yet (atom models install atom-wake wake-features): this "
    "satellite listens only on push-to-talk (a source's explicit start), never on its own"
)


class WakeDetector(Protocol):
    name: str
    """The model's name, as `describe` lists it."""
    phrase: str
    """What it listens for ("Atom")."""

    phrase_end: int
    """Samples since the last reset where the heard wake phrase ended (an estimate; after `process` said True)."""

    def process(self, pcm: bytes) -> bool:
        """Feed audio; True when the wake word has just been heard (then `reset` before listening again)."""
        ...

    def reset(self) -> None: ...

    def use_head(self, values: list[float]) -> None:
        """Score with a member's enrolled last layer (from the server's welcome)."""
        ...


def find_detector(data_dir: Path, sensitivity: float = 0.5, one_breath: bool = False) -> Detector | None:
    """A detector for one listener, or None while Atom's wake model (or its front end) is not installed."""
    model = load_wake_model(data_dir)
    return None if model is None else Detector(model, threshold_for(sensitivity), one_breath=one_breath)
