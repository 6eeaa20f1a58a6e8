"""Adapting the detector to one member's voice: re-fit the last layer on their samples.

The shipped classifier's hidden layer stays; only its final logistic layer (64 weights and a bias)
is re-fitted, starting from the shipped one and held near it, on the member's samples as extra
positives, the quiet before their word as extra negatives (their room), and the training windows
kept in the model's bank, so the adapted layer keeps rejecting what the shipped one rejected.
Blocking numpy: run it off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appliance.voice.audio import RATE
from appliance.voice.wake.features import FRAME_SAMPLES
from appliance.voice.wake.model import Head, WakeModel, sigmoid

__all__ = ["Adapted", "adapt", "head_bytes", "head_from_bytes"]

_TAIL = np.zeros(RATE // 2, np.float32)  # half a second of quiet after each sample: the word's end is scored
_AFTER_END = (640, 4 * FRAME_SAMPLES)  # the windows counted as the word, as in training
_LOUD = 0.1  # of the sample's peak: where speech begins and ends
_STEPS, _RATE, _PULL = 400, 0.5, 1e-2


@dataclass(frozen=True)
class Adapted:
    head: Head
    before: list[float]  # each sample's highest score, shipped layer
    after: list[float]  # the same, adapted layer
    bank_accepts_before: float  # share of the bank's negative windows over the threshold
    bank_accepts_after: float


def adapt(model: WakeModel, samples: list[np.ndarray], threshold: float) -> Adapted:
    """`samples`: int16-valued audio of the member saying the wake word, one word each."""
    base = model.base_head()
    hidden = [_hidden(model, s) for s in samples]
    positives = np.concatenate([h[_word(s, len(h))] for h, s in zip(hidden, samples, strict=True)])
    quiet = np.concatenate([h[_before_word(s, len(h))] for h, s in zip(hidden, samples, strict=True)])
    bank = model.bank()
    head = _fit(base, bank, positives, quiet)
    negatives = bank["negatives"]
    return Adapted(
        head=head,
        before=[float(base.score(h).max()) for h in hidden],
        after=[float(head.score(h).max()) for h in hidden],
        bank_accepts_before=float(np.mean(base.score(negatives) >= threshold)),
        bank_accepts_after=float(np.mean(head.score(negatives) >= threshold)),
    )


def _hidden(model: WakeModel, samples: np.ndarray) -> np.ndarray:
    audio = np.concatenate([samples.astype(np.float32), _TAIL])
    windows = model.features.windows(model.features.clip_embeddings(audio))
    return model.run(windows)[1]


def _frame_ends(count: int) -> np.ndarray:
    return FRAME_SAMPLES * np.arange(1, count + 1)


def _speech(samples: np.ndarray) -> tuple[int, int]:
    loud = np.flatnonzero(np.abs(samples) >= _LOUD * max(1.0, float(np.abs(samples).max())))
    return (int(loud[0]), int(loud[-1])) if loud.size else (0, len(samples))


def _word(samples: np.ndarray, frames: int) -> np.ndarray:
    end = _speech(samples)[1]
    ends = _frame_ends(frames)
    return (ends >= end + _AFTER_END[0]) & (ends <= end + _AFTER_END[1])


def _before_word(samples: np.ndarray, frames: int) -> np.ndarray:
    return _frame_ends(frames) <= _speech(samples)[0]


def _fit(base: Head, bank: dict[str, np.ndarray], mine: np.ndarray, quiet: np.ndarray) -> Head:
    """Weighted logistic regression by gradient descent, pulled towards the shipped layer."""
    x = np.concatenate([bank["negatives"], quiet, bank["positives"], mine])
    y = np.concatenate([np.zeros(len(bank["negatives"]) + len(quiet)), np.ones(len(bank["positives"]) + len(mine))])
    # the member's windows weigh as much as all the bank's positives together, the bank's negatives as both
    weight = np.concatenate([
        np.full(len(bank["negatives"]), 2.0 / max(1, len(bank["negatives"]))),
        np.full(len(quiet), 0.5 / max(1, len(quiet))),
        np.full(len(bank["positives"]), 1.0 / max(1, len(bank["positives"]))),
        np.full(len(mine), 1.0 / max(1, len(mine))),
    ])  # fmt: skip
    scale = float(np.abs(x).max()) or 1.0
    w, b = base.weights.astype(np.float64) * scale, float(base.bias)
    xs = x / scale  # keeps the steps well conditioned
    for _ in range(_STEPS):
        p = sigmoid(xs @ w + b)
        error = (p - y) * weight / weight.sum()
        w -= _RATE * (xs.T @ error + _PULL * (w - base.weights * scale))
        b -= _RATE * float(error.sum())
    return Head((w / scale).astype(np.float32), b)


def head_bytes(head: Head) -> bytes:
    return np.concatenate([head.weights.astype("<f4"), np.array([head.bias], "<f4")]).tobytes()


def head_from_bytes(data: bytes) -> Head:
    values = np.frombuffer(data, dtype="<f4")
    return Head(values[:-1].copy(), float(values[-1]))
