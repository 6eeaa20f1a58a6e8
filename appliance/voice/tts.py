"""Text to speech with piper (the `piper-joe` voice by default), loaded once on first use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from appliance.ai.models import require_model
from appliance.voice.audio import Pcm

__all__ = ["TextToSpeech"]


def _steady_config() -> object:
    from piper import SynthesisConfig

    return SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)


class TextToSpeech:
    def __init__(self, data_dir: Path, voice: str) -> None:
        self._data_dir, self._name = data_dir, voice
        self._voice: Any = None
        self._lock = threading.Lock()
        self._speaking = threading.Lock()  # espeak-ng, under piper's phonemizer, is one engine per process

    @property
    def name(self) -> str:
        return self._name

    @property
    def rate(self) -> int:
        return int(self._loaded().config.sample_rate)

    def load(self) -> None:
        self._loaded()

    def _loaded(self) -> Any:
        with self._lock:
            if self._voice is None:
                from piper import PiperVoice

                model = require_model(self._data_dir, self._name, role="tts")
                onnx = next(f for f in model.files if f.path.endswith(".onnx"))
                self._voice = PiperVoice.load(model.path(self._data_dir, onnx))
            return self._voice

    def sentences(self, text: str, steady: bool = False) -> Iterator[Pcm]:
        """The spoken `text`, one sentence at a time (so playback starts after the first); blocking.

        piper varies its delivery a little each time; `steady` turns that off, so the same text is
        the same audio (tests and benchmarks measure the same thing on every run)."""
        config = _steady_config() if steady else None
        pieces = iter(self._loaded().synthesize(text, syn_config=config))
        while True:
            with self._speaking:
                chunk = next(pieces, None)
            if chunk is None:
                return
            yield Pcm(chunk.audio_int16_bytes, chunk.sample_rate, chunk.sample_width, chunk.sample_channels)

    def synthesize(self, text: str, steady: bool = False) -> Pcm:
        """All of `text` as one PCM clip; blocking."""
        parts = list(self.sentences(text, steady))
        if not parts:
            return Pcm(b"", self.rate)
        return Pcm(b"".join(p.audio for p in parts), parts[0].rate, parts[0].width, parts[0].channels)
