"""Audio as the voice models want it: 16 kHz, mono, 16-bit PCM, and the conversions to get there.

Everything that reaches Atom (a satellite's microphone, a WAV file, Home Assistant's stream) is
turned into this one format once, at the edge, so the models never see anything else.
"""

from __future__ import annotations

import io
import wave
from pathlib import Path

import msgspec
import numpy as np

from appliance.errors import InvalidInput

__all__ = ["RATE", "WIDTH", "CHANNELS", "Pcm", "to_model_pcm", "to_float", "from_float", "read_wav", "wav_bytes"]

RATE = 16_000
WIDTH = 2
CHANNELS = 1
_SUPPORTED_WIDTHS = (1, 2, 4)
_MAX_RATE = 192_000


class Pcm(msgspec.Struct, frozen=True):
    """Raw interleaved little-endian PCM and its format."""

    audio: bytes
    rate: int = RATE
    width: int = WIDTH
    channels: int = CHANNELS

    @property
    def seconds(self) -> float:
        return len(self.audio) / (self.rate * self.width * self.channels)


def check_format(rate: int, width: int, channels: int) -> None:
    """A clear refusal for formats Atom does not take (they come from the network)."""
    if width not in _SUPPORTED_WIDTHS or not 1 <= channels <= 8 or not 4000 <= rate <= _MAX_RATE:
        raise InvalidInput(f"unsupported audio format: {rate} Hz, {width} bytes per sample, {channels} channels")


def to_float(pcm: Pcm) -> np.ndarray:
    """Mono float32 samples in [-1, 1] at the PCM's own rate."""
    check_format(pcm.rate, pcm.width, pcm.channels)
    usable = len(pcm.audio) - len(pcm.audio) % (pcm.width * pcm.channels)
    raw = pcm.audio[:usable]
    if pcm.width == 1:  # 8-bit WAV is unsigned
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif pcm.width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    else:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    if pcm.channels > 1:
        samples = samples.reshape(-1, pcm.channels).mean(axis=1)
    return samples


def resample(samples: np.ndarray, rate: int, target: int = RATE) -> np.ndarray:
    """Linear interpolation: plenty for speech going into a 16 kHz recogniser."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    count = int(samples.size * target / rate)
    positions = np.arange(count, dtype=np.float64) * (rate / target)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def from_float(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def to_model_pcm(pcm: Pcm) -> Pcm:
    """The same sound as 16 kHz mono 16-bit (returned as is when it already is)."""
    if (pcm.rate, pcm.width, pcm.channels) == (RATE, WIDTH, CHANNELS):
        return pcm
    return Pcm(from_float(resample(to_float(pcm), pcm.rate)))


def read_wav(path: Path) -> Pcm:
    try:
        with wave.open(str(path), "rb") as wav:
            pcm = Pcm(wav.readframes(wav.getnframes()), wav.getframerate(), wav.getsampwidth(), wav.getnchannels())
    except (wave.Error, EOFError) as exc:
        raise InvalidInput(f"{path} is not a PCM WAV file: {exc}") from None
    check_format(pcm.rate, pcm.width, pcm.channels)
    return pcm


def wav_bytes(pcm: Pcm) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(pcm.channels)
        wav.setsampwidth(pcm.width)
        wav.setframerate(pcm.rate)
        wav.writeframes(pcm.audio)
    return out.getvalue()
