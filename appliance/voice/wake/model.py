"""The loaded wake model, once per process (read-only): the front end, two classifiers over its
embeddings, and the verifier over its mel frames.

- The classifier (`atom-wake.onnx`) learnt "Atom" with quiet after it. Its graph takes (n, 16, 96)
  embeddings and answers `score` (n,) and `hidden` (n, 64); a member's enrolment swaps only its
  last layer (`Head`), computed here in numpy from `hidden`.
- The breath classifier (`atom-wake-breath.onnx`) learnt "Atom <command>" said in one breath too,
  which the first misses about half the time; it also wakes on "Adam <words>".
- The verifier (verifier.py) is asked only when a classifier's score has stayed high long enough;
  the detector (detector.py) says how much agreement each one needs.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.ai.models import read_installed, require_model
from appliance.errors import ModelMissing
from appliance.voice.wake.features import Features, _session
from appliance.voice.wake.verifier import VERIFIER_FILE, Verifier

__all__ = [
    "WakeModel",
    "Head",
    "FrameScores",
    "sigmoid",
    "load_wake_model",
    "WAKE_MODEL",
    "FEATURES_MODEL",
    "CLASSIFIER_FILE",
    "BREATH_FILE",
    "BANK_FILE",
]

WAKE_MODEL = "atom-wake"
FEATURES_MODEL = "wake-features"
CLASSIFIER_FILE = "atom-wake.onnx"
BREATH_FILE = "atom-wake-breath.onnx"
BANK_FILE = "atom-wake-bank.npz"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FrameScores:
    """Per 80 ms frame: the classifier's score, the breath classifier's and the verifier's (None
    where the model has none), as `detector.detections` takes them."""

    lone: np.ndarray
    breath: np.ndarray | None
    verified: np.ndarray | None


@dataclass(frozen=True)
class Head:
    """A last layer: score = sigmoid(hidden · weights + bias)."""

    weights: np.ndarray  # (64,)
    bias: float

    def score(self, hidden: np.ndarray) -> np.ndarray:
        return sigmoid(hidden @ self.weights + self.bias)


def sigmoid(logits: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x), through tanh: no overflow warning for large negative logits."""
    return 0.5 * (1.0 + np.tanh(0.5 * logits))


class WakeModel:
    name = WAKE_MODEL
    phrase = "Atom"

    def __init__(
        self, features: Path, classifier: Path, verifier: Path | None = None, breath: Path | None = None
    ) -> None:
        self.features = Features(features)
        self.folder = classifier.parent
        self._session = _session(classifier)
        self._breath = None if breath is None else _session(breath)
        self.verifier = None if verifier is None else Verifier(verifier)
        self._lock = threading.Lock()  # one run at a time keeps a busy box's cores for the rest

    @property
    def hears_one_breath(self) -> bool:
        """Whether a breath classifier (and a verifier to check it) were loaded."""
        return self._breath is not None and self.verifier is not None

    def run(self, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n,) and hidden activations (n, 64) of classifier inputs (n, 16, 96)."""
        with self._lock:
            score, hidden = self._session.run(None, {"x": windows.astype(np.float32)})
        return score, hidden

    def run_breath(self, windows: np.ndarray) -> np.ndarray:
        """The breath classifier's scores (n,) of inputs (n, 16, 96); zeros without one."""
        if self._breath is None:
            return np.zeros(len(windows), np.float32)
        with self._lock:
            return self._breath.run(None, {"x": windows.astype(np.float32)})[0]

    def clip_scores(self, samples: np.ndarray, head: Head | None = None) -> np.ndarray:
        """The score after every 80 ms frame of `samples` (int16 values) from a fresh start."""
        windows = self.features.windows(self.features.clip_embeddings(samples))
        if len(windows) == 0:
            return np.zeros(0, np.float32)
        score, hidden = self.run(windows)
        return score if head is None else head.score(hidden)

    def clip_frames(self, samples: np.ndarray, head: Head | None = None) -> FrameScores:
        """Every score a detector would see after each 80 ms frame of `samples` (int16 values)."""
        mel = self.features.clip_mel(samples)  # once: the embeddings and the verifier both read it
        windows = self.features.windows(self.features.mel_embeddings(mel))
        if len(windows) == 0:
            return FrameScores(np.zeros(0, np.float32), None, None)
        score, hidden = self.run(windows)
        lone = score if head is None else head.score(hidden)
        breath = self.run_breath(windows) if self.hears_one_breath else None
        verified = None if self.verifier is None else self.verifier.clip_scores(mel)
        return FrameScores(lone, breath, verified)

    def bank(self) -> dict[str, np.ndarray]:
        """Hidden activations of training windows, `negatives` and `positives` (for enrolment)."""
        with np.load(self.folder / BANK_FILE, allow_pickle=False) as saved:
            return {name: saved[name].astype(np.float32) for name in saved.files}

    def base_head(self) -> Head:
        """The shipped last layer, read from the graph's initializers."""
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(str(self.folder / CLASSIFIER_FILE)).graph
        weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        return Head(weights["w3"][:, 0].astype(np.float32), float(weights["b3"][0]))


def load_wake_model(data_dir: Path) -> WakeModel | None:
    """The installed wake model (loaded once per installed version), or None when it is missing."""
    installed = read_installed(data_dir).models
    if WAKE_MODEL not in installed or FEATURES_MODEL not in installed:
        return None
    try:
        wake = require_model(data_dir, WAKE_MODEL, role="wake")
        features = require_model(data_dir, FEATURES_MODEL, role="wake-features")
    except ModelMissing:
        return None
    missing = {CLASSIFIER_FILE, VERIFIER_FILE, BREATH_FILE} - {file.path for file in wake.files}
    if missing:  # installed by an older Atom; `make run` and `atom models install` bring it up to date
        _log.warning("atom-wake lacks %s: run `atom models install atom-wake`", ", ".join(sorted(missing)))
        return None
    return _loaded(features.directory(data_dir), wake.directory(data_dir), wake.source)


@functools.lru_cache(maxsize=4)
def _loaded(features: Path, folder: Path, version: str) -> WakeModel:
    return WakeModel(features, folder / CLASSIFIER_FILE, folder / VERIFIER_FILE, folder / BREATH_FILE)
