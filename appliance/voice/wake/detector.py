"""One listener's detector: 80 ms frames in, a detection when the score stays over the threshold.

The score must stay over the threshold for `PATIENCE` frames in a row (240 ms): a short run of high
frames was most of the false accepts, while a real "Atom" scores high for several. Three, not two,
was chosen on the training-side validation set (models/wake/validate.py: 7.4 false accepts/h and
1.5 % false rejects with two, none and 3.2 % with three).
The classifier (model.py) learnt "Atom" with quiet after it. Once its run is long enough, the
verifier (verifier.py: over the mel frames) is asked, and the detector fires unless it is fairly
sure this is not "Atom" (`LONE_AGREEMENT`: most lone "Adam"s). With `one_breath` (the
`voice.wake_one_breath` setting) the breath classifier scores each frame too, which also hears
"Atom <command>" said without a pause, and "Adam <words>" and "atoms in…" with it: its runs fire
only when the verifier agrees firmly (`BREATH_AGREEMENT`). While the verifier does not agree, it is
asked again on each frame a run lasts. Both levels were chosen on two held-out draws and checked
on a third (README's wake-word section).
After a detection the detector stays deaf for `REFRACTORY_SECONDS` of audio, so one "Atom" never
triggers twice, even while its score stays high or the caller forgets to reset.

On a detection the detector also says where, in the audio fed since its last reset, the wake phrase
ended (`phrase_end`, an estimate), so a satellite can send a command said in the same breath from
its first word: the end of the first frame of the run that fired, less `END_MARGIN_MS`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from appliance.voice.wake.features import FRAME_SAMPLES, FeatureStream
from appliance.voice.wake.model import Head, WakeModel

__all__ = [
    "Detector",
    "threshold_for",
    "detections",
    "estimated_phrase_end",
    "REFRACTORY_SECONDS",
    "REFRACTORY_FRAMES",
    "PATIENCE",
    "END_MARGIN_MS",
    "LONE_AGREEMENT",
    "BREATH_AGREEMENT",
]

PATIENCE = 3
LONE_AGREEMENT = 0.3  # the verifier's score a run of the classifier needs to fire
BREATH_AGREEMENT = 0.8  # ... and a run of the breath classifier
REFRACTORY_SECONDS = 2.0
REFRACTORY_FRAMES = int(REFRACTORY_SECONDS * 16_000 / FRAME_SAMPLES)
_FRAME_BYTES = FRAME_SAMPLES * 2
# The first frame of the run that fires ends near the phrase's end: on held-out voices
# (models/wake/phrase_end.py, 1000 clips each, re-run it after retraining) from 318 ms before to
# 169 ms after it ("Atom" alone: p1 -318, median -2, p99 134 ms) and 478 ms before to 129 ms after
# when a command follows within 150 ms (p1 -317, median -9, p99 103 ms). Less 140 ms, no one-breath
# command was cut (0 of 933), 0.8 % of lone phrases would have been had a command followed at once
# (by at most 29 ms), and a median 150 ms of "Atom" is sent before the command (120 ms: 0.5 %, 2.1 %).
# The breath classifier's runs, measured when it was tried as the only one: "Atom" alone p1 -369,
# median -40, p99 98 ms; one breath p1 -296, median -28, p99 111 ms; 0 of 993 commands cut.
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
    breath: np.ndarray | None = None,
) -> list[int]:
    """The frames a detector would fire at, given each frame's classifier score and, where the model
    has them, its verifier and breath classifier scores (`WakeModel.clip_frames`): `Detector`'s rule."""
    fired: list[int] = []
    runs = _Runs()
    for frame, score in enumerate(scores):
        runs.add(score, None if breath is None else breath[frame], threshold)
        if (not fired or frame - fired[-1] > refractory) and runs.fire(patience, verified, frame):
            fired.append(frame)
            runs.clear()
    return fired


class _Runs:
    """Frames in a row over the threshold, for each classifier."""

    def __init__(self) -> None:
        self.lone = self.breath = 0

    def add(self, lone: float, breath: float | None, threshold: float) -> None:
        self.lone = self.lone + 1 if lone >= threshold else 0
        self.breath = self.breath + 1 if breath is not None and breath >= threshold else 0

    def clear(self) -> None:
        self.lone = self.breath = 0

    def fire(self, patience: int, verified: np.ndarray | None, frame: int) -> bool:
        return self.agreed(patience, lambda: None if verified is None else float(verified[frame]))

    def agreed(self, patience: int, verify: Callable[[], float | None]) -> bool:
        """Whether a long enough run has the verifier's agreement (`verify` is asked only then)."""
        lone, breath = self.lone >= patience, self.breath >= patience
        if not (lone or breath):
            return False
        agreement = verify()
        if agreement is None:  # no verifier: the classifier alone decides
            return lone
        return (lone and agreement >= LONE_AGREEMENT) or (breath and agreement >= BREATH_AGREEMENT)

    def longest(self) -> int:
        return max(self.lone, self.breath)


def estimated_phrase_end(run_start: int) -> int:
    """Where the wake phrase ended, in samples from the start, given the frame (counted from 0) where
    the run over the threshold that fired began."""
    return max(0, (run_start + 1) * FRAME_SAMPLES - _END_MARGIN_SAMPLES)


class Detector:
    def __init__(self, model: WakeModel, threshold: float, head: Head | None = None, one_breath: bool = False) -> None:
        self.name, self.phrase = model.name, model.phrase
        self.threshold = threshold
        self.one_breath = one_breath and model.hears_one_breath
        self._model, self._head = model, head
        self._stream = FeatureStream(model.features)
        self._pending = b""
        self._deaf = 0  # frames left in the refractory period
        self._runs = _Runs()
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
        window = self._stream.push(samples)[None]
        score, hidden = self._model.run(window)
        self.last_score = float(score[0] if self._head is None else self._head.score(hidden)[0])
        breath = float(self._model.run_breath(window)[0]) if self.one_breath else None
        self._runs.add(self.last_score, breath, self.threshold)
        self._frames += 1
        if self._deaf > 0:
            self._deaf -= 1
            return False
        if self._runs.agreed(PATIENCE, self._verified):
            self.phrase_end = estimated_phrase_end(self._frames - self._runs.longest())
            self._deaf = REFRACTORY_FRAMES
            self._runs.clear()
            return True
        return False

    def _verified(self) -> float | None:
        verifier = self._model.verifier
        if verifier is None:
            return None
        return float(verifier.score(self._stream.recent_mel(verifier.frames)[None])[0])

    def use_head(self, values: list[float]) -> None:
        """Score with a member's enrolled last layer (64 weights, then the bias)."""
        if len(values) != 65 or not np.all(np.isfinite(values)):
            raise ValueError("an enrolled wake layer has 64 weights and a bias")
        self._head = Head(np.asarray(values[:-1], np.float32), float(values[-1]))

    def reset(self) -> None:
        """Forget the audio heard so far (the refractory period still runs out)."""
        self._stream.reset()
        self._pending = b""
        self._runs.clear()
        self._frames = self.phrase_end = 0
