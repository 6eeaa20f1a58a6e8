"""End of speech: Silero VAD (the ONNX model shipped in `wake-features`) run frame by frame.

An `Endpointer` takes the audio of one utterance as it streams in and says when the speaker has
started and when they have stopped: `silence_seconds` without speech after some speech. It also
gives up when nobody speaks within `start_seconds`, and stops an utterance at `max_seconds`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from appliance.voice.audio import RATE

__all__ = ["SileroVad", "Endpointer", "Heard", "FRAME_SAMPLES"]

FRAME_SAMPLES = 512  # 32 ms at 16 kHz: the window Silero VAD v4 takes
_FRAME_BYTES = FRAME_SAMPLES * 2
_SPEECH = 0.5  # probability above which a frame is speech
_QUIET = 0.35  # below which it is silence again (hysteresis keeps a word's tail)
_START_FRAMES = 3  # ~0.1 s of speech before an utterance counts as started


class Heard(Enum):
    WAITING = "waiting"  # nothing said yet
    SPEAKING = "speaking"
    ENDED = "ended"  # spoke, then was silent long enough
    NOTHING = "nothing"  # nobody spoke before the start timeout
    TOO_LONG = "too-long"  # cut at max_seconds


class SileroVad:
    """The loaded model; one per process, shared by every endpointer (each keeps its own state)."""

    def __init__(self, model_path: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._rate = np.array(RATE, dtype=np.int64)

    def probability(self, frame: np.ndarray, state: np.ndarray) -> tuple[float, np.ndarray]:
        """Speech probability of one 512-sample frame, and the model's next state (h and c stacked)."""
        out, h, c = self._session.run(None, {"input": frame[None, :], "sr": self._rate, "h": state[0], "c": state[1]})
        return float(out[0][0]), np.stack([h, c])


def _fresh_state() -> np.ndarray:
    return np.zeros((2, 2, 1, 64), dtype=np.float32)


@dataclass
class Endpointer:
    vad: SileroVad
    silence_seconds: float = 0.5
    start_seconds: float = 8.0
    max_seconds: float = 15.0
    heard: Heard = Heard.WAITING
    audio: bytearray = field(default_factory=bytearray)  # everything kept so far, 16 kHz mono s16
    _state: np.ndarray = field(default_factory=_fresh_state)
    _pending: bytes = b""
    _frames: int = 0
    _run: int = 0  # consecutive speech frames (waiting) or silent frames (speaking)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def finished(self) -> bool:
        return self.heard in (Heard.ENDED, Heard.NOTHING, Heard.TOO_LONG)

    @property
    def seconds(self) -> float:
        return self._frames * FRAME_SAMPLES / RATE

    def feed(self, pcm: bytes) -> Heard:
        """Take more 16 kHz mono 16-bit audio; blocking (run it off the event loop)."""
        with self._lock:
            if self.finished:
                return self.heard
            self.audio += pcm
            data = self._pending + pcm
            whole = len(data) - len(data) % _FRAME_BYTES
            self._pending = data[whole:]
            for start in range(0, whole, _FRAME_BYTES):
                self._step(np.frombuffer(data[start : start + _FRAME_BYTES], dtype="<i2").astype(np.float32) / 32768)
                if self.finished:
                    break
            return self.heard

    def _step(self, frame: np.ndarray) -> None:
        probability, self._state = self.vad.probability(frame, self._state)
        self._frames += 1
        if self.heard is Heard.WAITING:
            self._run = self._run + 1 if probability >= _SPEECH else 0
            if self._run >= _START_FRAMES:
                self.heard, self._run = Heard.SPEAKING, 0
            elif self.seconds >= self.start_seconds:
                self.heard = Heard.NOTHING
        else:
            self._run = self._run + 1 if probability < _QUIET else 0
            if self._run * FRAME_SAMPLES / RATE >= self.silence_seconds:
                self.heard = Heard.ENDED
        if not self.finished and self.seconds >= self.max_seconds:
            self.heard = Heard.TOO_LONG
