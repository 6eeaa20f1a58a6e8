"""The voice models of one server process: speech to text, text to speech, end of speech, wake.

Each loads once, lazily, on first use, and runs on a worker thread: the event loop only awaits.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Sequence

from appliance.ai.models import require_model
from appliance.settings import Settings
from appliance.voice.audio import Pcm, to_float, to_model_pcm
from appliance.voice.stt import SpeechToText
from appliance.voice.tts import TextToSpeech
from appliance.voice.vad import Endpointer, SileroVad
from appliance.voice.wake import WakeDetector, find_detector

__all__ = ["VoiceEngine", "VAD_MODEL"]

VAD_MODEL = "wake-features"  # Silero VAD ships beside openWakeWord's front end
_VAD_FILE = "silero_vad.onnx"


class VoiceEngine:
    def __init__(self, settings: Settings) -> None:
        voice = settings.voice
        self.settings = settings
        self.stt = SpeechToText(settings.data_dir, voice.stt_model, _threads(voice.stt_threads))
        self.tts = TextToSpeech(settings.data_dir, voice.tts_voice)
        self._vad: SileroVad | None = None
        self._vad_lock = threading.Lock()

    def vad(self) -> SileroVad:
        with self._vad_lock:
            if self._vad is None:
                model = require_model(self.settings.data_dir, VAD_MODEL, role="wake-features")
                self._vad = SileroVad(model.directory(self.settings.data_dir) / _VAD_FILE)
            return self._vad

    def wake(self) -> WakeDetector | None:
        """A fresh detector for one listener (blocking the first time: the model loads), or None."""
        voice = self.settings.voice
        return find_detector(self.settings.data_dir, voice.wake_sensitivity, voice.wake_one_breath)

    async def endpointer(self, start_seconds: float = 8.0) -> Endpointer:
        vad = await asyncio.to_thread(self.vad)
        return Endpointer(vad, silence_seconds=self.settings.voice.silence_seconds, start_seconds=start_seconds)

    async def transcribe(self, pcm: Pcm, words: Sequence[str] = ()) -> str:
        return await asyncio.to_thread(lambda: self.stt.transcribe(to_float(to_model_pcm(pcm)), words))

    async def synthesize(self, text: str) -> Pcm:
        return await asyncio.to_thread(self.tts.synthesize, text)


def _threads(configured: int) -> int:
    if configured:
        return configured
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, usable - 1))
