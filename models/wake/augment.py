"""Make one clip sound like many rooms: speed, gain, background noise and a synthetic room echo.

All of it is numpy on float32 samples at 16 kHz, driven by the caller's seeded generator.
"""

from __future__ import annotations

import numpy as np

from appliance.voice.audio import RATE

__all__ = ["speed", "room", "noise", "tones", "mix", "augmented", "augmented_marked"]


def speed(samples: np.ndarray, factor: float) -> np.ndarray:
    """Faster (>1) or slower, pitch moving with it, as a tape would."""
    count = int(len(samples) / factor)
    return np.interp(np.arange(count) * factor, np.arange(len(samples)), samples).astype(np.float32)


def room(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Convolve with a synthetic impulse response: a direct path, then decaying diffuse reflections."""
    rt60 = rng.uniform(0.15, 0.7)  # seconds for the echo to fall by 60 dB
    length = int(rt60 * RATE)
    decay = np.exp(-6.9 * np.arange(length) / length)
    response = rng.standard_normal(length) * decay * rng.uniform(0.05, 0.3)
    response[0] = 1.0
    size = 1 << int(np.ceil(np.log2(len(samples) + length)))  # FFT convolution: long echoes stay cheap
    wet = np.fft.irfft(np.fft.rfft(samples, size) * np.fft.rfft(response, size), size)[: len(samples)]
    return (wet / max(1e-6, np.abs(wet).max()) * np.abs(samples).max()).astype(np.float32)


def noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """Background: white, pink-ish (integrated) or a hum, at a random colour."""
    kind = rng.integers(3)
    white = rng.standard_normal(count).astype(np.float32)
    if kind == 0:
        return white
    if kind == 1:
        pink = np.cumsum(white)
        pink -= np.convolve(pink, np.ones(400) / 400, mode="same")  # keep it from drifting
        return (pink / max(1e-6, pink.std())).astype(np.float32)
    t = np.arange(count) / RATE
    return (np.sin(2 * np.pi * rng.choice([50.0, 60.0, 100.0]) * t) + 0.3 * white).astype(np.float32)


def tones(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Music-like: notes of a few harmonics with attack and decay, sometimes chords."""
    out = np.zeros(int(seconds * RATE), np.float32)
    at = 0
    while at < len(out):
        length = int(rng.uniform(0.12, 0.6) * RATE)
        t = np.arange(length) / RATE
        note = np.zeros(length)
        for _ in range(rng.integers(1, 4)):
            pitch = 110 * 2 ** (rng.integers(0, 36) / 12)
            note += sum(np.sin(2 * np.pi * pitch * h * t) / h**1.5 for h in range(1, 5))
        envelope = np.minimum(1, t / 0.01) * np.exp(-t * rng.uniform(2, 8))
        piece = (note * envelope)[: len(out) - at]
        out[at : at + len(piece)] += piece.astype(np.float32)
        at += length
    return out / max(1e-6, np.abs(out).max())


def mix(speech: np.ndarray, background: np.ndarray, snr_db: float) -> np.ndarray:
    power = np.mean(speech**2) + 1e-9
    scale = np.sqrt(power / (np.mean(background**2) + 1e-9) / 10 ** (snr_db / 10))
    return (speech + background[: len(speech)] * scale).astype(np.float32)


def augmented(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One random variation: speed, maybe a room, maybe noise (5-30 dB SNR), a random level."""
    return augmented_marked(samples, 0, rng)[0]


def augmented_marked(samples: np.ndarray, mark: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """`augmented`, and where sample `mark` (say, the wake phrase's end) lands after the speed change."""
    factor = rng.uniform(0.85, 1.15)
    out = speed(samples, factor)
    mark = min(len(out), int(mark / factor))
    if rng.random() < 0.5:
        out = room(out, rng)
    if rng.random() < 0.7:
        background = noise(len(out), rng) if rng.random() < 0.7 else tones(len(out) / RATE + 0.1, rng)
        out = mix(out, background, rng.uniform(5, 30))
    return gain(out, rng), mark


def gain(samples: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A level between quiet (-30 dBFS peak) and loud (-1 dBFS)."""
    peak = np.abs(samples).max() + 1e-9
    return (samples / peak * 10 ** (rng.uniform(-30, -1) / 20)).astype(np.float32)
