"""One listener's detector: 80 ms frames in, a detection when the score stays over the threshold.

The score must stay over the threshold for `PATIENCE` frames in a row (240 ms): a short run of high
frames was most of the false accepts, while a real "Atom" scores high for several. Three, not two,
was chosen on the training-side validation set (models/wake/validate.py: 7.4 false accepts/h and
1.5 % false rejects with two, none and 3.2 % with three).
When the run is long enough, the verifier (verifier.py: the second stage, over the mel frames) must
agree too; while it does not, it is asked again on each frame the run lasts.
After a detection the detector stays deaf for `REFRACTORY_SECONDS` of audio, so one "Atom" never
triggers twice, even while its score stays high or the caller forgets to reset.

On a detection the detector also says where, in the audio fed since its last reset, the wake phrase
ended (`phrase_end`, an estimate), so a satellite can send a command said in the same breath from
its first word: the end of the first frame of the run that fired, less `END_MARGIN_MS`.
"""

from __future__ import annotations

import numpy as np

from appliance.voice.wake.features import FRAME_SAMPLES, FeatureStream
from appliance.voice.wake.model import Head, WakeModel
from appliance.voice.wake.verifier import VERIFIER_THRESHOLD

__all__ = [
    "Detector",
    "threshold_for",
    "detections",
    "estimated_phrase_end",
    "REFRACTORY_SECONDS",
    "REFRACTORY_FRAMES",
    "PATIENCE",
    "END_MARGIN_MS",
]

PATIENCE = 3
REFRACTORY_SECONDS = 2.0
REFRACTORY_FRAMES = int(REFRACTORY_SECONDS * 16_000 / FRAME_SAMPLES)
_FRAME_BYTES = FRAME_SAMPLES * 2
# The first frame of the run that fires ends near the phrase's end: on held-out voices
# (models/wake/phrase_end.py, 1000 clips each, re-run it after retraining) "Atom" alone: p1 -369,
# median -40, p99 98 ms; a command following within 150 ms: p1 -296, median -28, p99 111 ms. Less
# 140 ms, no one-breath command was cut (0 of 993), 0.2 % of lone phrases (0.3 % of one-breath
# ones) would have been had a command followed at once (by at most 109 and 59 ms), a median 168 ms of
# "Atom" is sent before the command (120 ms: 0.1 % and 0.7 % cut).
END_MARGIN_MS = 140
_END_MARGIN_SAMPLES = END_MARGIN_MS * 16


def threshold_for(sensitivity: float) -> float:
    """Sensitivity 0..1 (higher hears more, and more wrongly) as a score threshold, 0.99 to 0.61:
    the default 0.5 gives 0.8, where held-out audio had false rejects and accepts both low."""
    return round(0.99 - 0.38 * float(np.clip(sensitivity, 0.0, 1.0)), 4)


def detections(
    scores: np.ndarray,
    threshold: float,
    refractory: int = REFRACTORY_FRAMES,
    patience: int = PATIENCE,
    verified: np.ndarray | None = None,
) -> list[int]:
    """The frames a detector would fire at, given each frame's score and, with a verifier, its score
    for each frame (`WakeModel.clip_verified`): the same rule as `Detector`."""
    fired: list[int] = []
    run = 0
    for frame, score in enumerate(scores):
        run = run + 1 if score >= threshold else 0
        agreed = verified is None or verified[frame] >= VERIFIER_THRESHOLD
        if run >= patience and agreed and (not fired or frame - fired[-1] > refractory):
            fired.append(frame)
            run = 0
    return fired


def estimated_phrase_end(run_start: int) -> int:
    """Where the wake phrase ended, in samples from the start, given the frame (counted from 0) where
    the run over the threshold that fired began."""
    return max(0, (run_start + 1) * FRAME_SAMPLES - _END_MARGIN_SAMPLES)


class Detector:
    def __init__(self, model: WakeModel, threshold: float, head: Head | None = None) -> None:
        self.name, self.phrase = model.name, model.phrase
        self.threshold = threshold
        self._model, self._head = model, head
        self._stream = FeatureStream(model.features)
        self._pending = b""
        self._deaf = 0  # frames left in the refractory period
        self._run = 0  # frames in a row over the threshold
        self._frames = 0  # frames scored since the last reset
        self.last_score = 0.0
        self.phrase_end = 0
        """Samples since the last reset where the wake phrase ended (an estimate), as of the last detection."""

    def process(self, pcm: bytes) -> bool:
        """Feed 16 kHz mono 16-bit audio; True if the wake word was heard in it. Blocking (run off the loop)."""
        data = self._pending + pcm
        whole = len(data) - len(data) % _FRAME_BYTES
        self._pending = data[whole:]
        heard = False
        for start in range(0, whole, _FRAME_BYTES):
            heard |= self._frame(np.frombuffer(data[start : start + _FRAME_BYTES], dtype="<i2"))
        return heard

    def _frame(self, samples: np.ndarray) -> bool:
        window = self._stream.push(samples)
        score, hidden = self._model.run(window[None])
        self.last_score = float(score[0] if self._head is None else self._head.score(hidden)[0])
        self._run = self._run + 1 if self.last_score >= self.threshold else 0
        self._frames += 1
        if self._deaf > 0:
            self._deaf -= 1
            return False
        if self._run >= PATIENCE and self._verified():
            self.phrase_end = estimated_phrase_end(self._frames - self._run)
            self._deaf, self._run = REFRACTORY_FRAMES, 0
            return True
        return False

    def _verified(self) -> bool:
        verifier = self._model.verifier
        if verifier is None:
            return True
        return bool(verifier.score(self._stream.recent_mel(verifier.frames)[None])[0] >= VERIFIER_THRESHOLD)

    def use_head(self, values: list[float]) -> None:
        """Score with a member's enrolled last layer (64 weights, then the bias)."""
        if len(values) != 65 or not np.all(np.isfinite(values)):
            raise ValueError("an enrolled wake layer has 64 weights and a bias")
        self._head = Head(np.asarray(values[:-1], np.float32), float(values[-1]))

    def reset(self) -> None:
        """Forget the audio heard so far (the refractory period still runs out)."""
        self._stream.reset()
        self._pending = b""
        self._run = self._frames = self.phrase_end = 0
