"""Listening for "Atom" with the last moments of audio kept, so a command said in the same breath
("Atom add bread to the list") is sent from its first word.

The detector fires a few frames after the phrase ends (`PATIENCE`), by when the command has begun;
it says where the phrase ended (`phrase_end`), and the listener answers the kept audio from there,
the rest of the chunk it fired in included. At most `PREROLL_SECONDS` are kept, whatever the source.
"""

from __future__ import annotations

from appliance.voice.audio import RATE
from appliance.voice.wake import WakeDetector

__all__ = ["RecentAudio", "WakeListener", "PREROLL_SECONDS"]

PREROLL_SECONDS = 2.0  # the detector's estimate lies about 0.3 s back; more is only for a slow run


class RecentAudio:
    """The newest `seconds` of 16-bit audio, addressed by sample since the last reset."""

    def __init__(self, seconds: float = PREROLL_SECONDS) -> None:
        self.limit = int(seconds * RATE) * 2  # bytes
        self.reset()

    def reset(self) -> None:
        self._kept = bytearray()
        self._start = 0  # bytes since the reset before the first kept byte

    def add(self, chunk: bytes) -> None:
        self._kept += chunk
        excess = len(self._kept) - self.limit
        if excess > 0:
            del self._kept[:excess]
            self._start += excess

    def since(self, sample: int) -> bytes:
        """The kept audio from `sample` on (from the oldest kept, if that is gone)."""
        return bytes(self._kept[max(0, sample * 2 - self._start) :])

    def __len__(self) -> int:
        return len(self._kept)


class WakeListener:
    """A detector over the audio as it comes, keeping the recent audio. Blocking (run off the loop)."""

    def __init__(self, detector: WakeDetector, seconds: float = PREROLL_SECONDS) -> None:
        self.detector = detector
        self.recent = RecentAudio(seconds)

    def reset(self) -> None:
        self.detector.reset()
        self.recent.reset()

    def hear(self, chunk: bytes) -> bytes | None:
        """Feed a chunk; when "Atom" was heard, the audio from the phrase's end to the chunk's end."""
        self.recent.add(chunk)
        if not self.detector.process(chunk):
            return None
        return self.recent.since(self.detector.phrase_end)
