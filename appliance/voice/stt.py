"""Speech to text with faster-whisper (tiny.en int8 by default), biased toward the household's words.

tiny.en hears "Atom" as "Adam" unless told the word exists: every transcription is prompted with
"Atom", the verbs commands begin with, and the household's own names and lists (`household_words`).
The verbs are there because a prompt of names alone made it hear "add" as "and", "ad" or "added"
after the wake word (`bench/voice_prompt.py` measures prompts on household commands). The model loads once, on
first use, and transcribes one utterance at a time (a second waits: on a small box two at once
would only make both slow).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from appliance.ai.models import require_model
from appliance.voice.audio import RATE

__all__ = ["SpeechToText", "WAKE_WORD", "prompt_for"]

WAKE_WORD = "Atom"
_PROMPT_WORDS = 40  # a prompt longer than this costs decoding time and stops helping
COMMAND_VERBS = ("add", "set", "what's", "remind")


def prompt_for(words: Sequence[str]) -> str:
    """The initial prompt: the wake word and the verbs commands begin with, then the household's words."""
    seen: list[str] = []
    for word in words:
        shown = word.strip().title() if word.islower() else word.strip()
        if shown and shown.lower() not in {s.lower() for s in (WAKE_WORD, *seen)}:
            seen.append(shown)
    opening = f"{WAKE_WORD}, {', '.join(COMMAND_VERBS)}."
    return f"{opening} {', '.join(seen[:_PROMPT_WORDS])}." if seen else opening


class SpeechToText:
    def __init__(self, data_dir: Path, model: str, threads: int) -> None:
        self._data_dir, self._name, self._threads = data_dir, model, threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    def load(self) -> None:
        """Load the model now (otherwise the first transcription does); blocking."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> Any:
        if self._model is None:
            from faster_whisper import WhisperModel

            folder = require_model(self._data_dir, self._name, role="stt").directory(self._data_dir)
            self._model = WhisperModel(str(folder), device="cpu", compute_type="int8", cpu_threads=self._threads)
        return self._model

    def transcribe(self, samples: np.ndarray, words: Sequence[str] = ()) -> str:
        """The words in 16 kHz mono float32 `samples`; blocking (call it on a thread)."""
        if samples.size < RATE // 10:
            return ""
        with self._lock:
            model = self._load_locked()
            segments, _ = model.transcribe(samples, **options(words))
            return " ".join(segment.text.strip() for segment in segments).strip()


def options(words: Sequence[str]) -> dict[str, Any]:
    """faster-whisper's options for one short spoken command (the benchmark calls it with the same)."""
    return {
        "language": "en",
        "beam_size": 5,
        "initial_prompt": prompt_for(words),
        "condition_on_previous_text": False,
        "without_timestamps": True,
        "vad_filter": False,  # the endpointer already cut the utterance
    }
