"""Synthetic voices: piper's joe (varied by its length and noise scales) and Debian's espeak-ng.

Every clip comes back as float32 samples at 16 kHz, trimmed of leading and trailing silence, so the
caller knows where the words are.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from appliance.voice.audio import Pcm, resample, to_float

__all__ = ["PiperVoiceSetting", "EspeakVoice", "Piper", "espeak", "trim", "have_espeak"]

_QUIET = 0.02  # amplitude below which the ends of a clip count as silence


@dataclass(frozen=True)
class PiperVoiceSetting:
    length_scale: float  # >1 speaks slower
    noise_scale: float  # variation in the voice
    noise_w_scale: float  # variation in phoneme lengths


@dataclass(frozen=True)
class EspeakVoice:
    voice: str  # e.g. "en-us+f3"
    speed: int  # words per minute
    pitch: int  # 0-99


class Piper:
    """piper with the joe voice, loaded once from the installed `piper-joe` model."""

    def __init__(self, onnx: Path) -> None:
        from piper import PiperVoice

        self._voice: Any = PiperVoice.load(onnx)

    def say(self, text: str, setting: PiperVoiceSetting) -> np.ndarray:
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=setting.length_scale, noise_scale=setting.noise_scale, noise_w_scale=setting.noise_w_scale
        )
        chunks = list(self._voice.synthesize(text, syn_config=config))
        audio = b"".join(c.audio_int16_bytes for c in chunks)
        return trim(resample(to_float(Pcm(audio, chunks[0].sample_rate)), chunks[0].sample_rate))


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak(text: str, voice: EspeakVoice) -> np.ndarray:
    command = ["espeak-ng", "-v", voice.voice, "-s", str(voice.speed), "-p", str(voice.pitch), "--stdout", text]
    out = subprocess.run(command, capture_output=True, check=True, timeout=30).stdout
    with wave.open(io.BytesIO(out)) as clip:
        pcm = Pcm(clip.readframes(clip.getnframes()), clip.getframerate(), clip.getsampwidth(), clip.getnchannels())
    return trim(resample(to_float(pcm), pcm.rate))


def trim(samples: np.ndarray) -> np.ndarray:
    loud = np.flatnonzero(np.abs(samples) > _QUIET)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]
