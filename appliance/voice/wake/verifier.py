"""The wake word's second stage: a small classifier over the last log-mel frames themselves.

The classifiers over openWakeWord's embeddings cannot tell "Atom <words>" from "Adam <words>": to
their 80 ms embeddings they are one sound. The mel frames keep 10 ms detail (the vowel's length,
the "t"), so when a classifier's run is long enough to fire, the detector asks the verifier about
the newest `frames` mel frames and fires only if it agrees enough (detector.py says how much for
each classifier); otherwise it asks again on the next frame while the run lasts. It costs a few
small convolutions and matrix products per asking frame.

Trained by `models/wake/verifier.py` on the breath classifier's own candidates (the windows it
scores high), so it learns exactly the confusions that classifier makes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from appliance.voice.wake.features import MEL_BANDS, MEL_KEPT, MEL_STEP, _session, mel_ends

__all__ = ["Verifier", "VERIFIER_FILE", "verifier_input"]

VERIFIER_FILE = "atom-wake-verifier.onnx"
# openWakeWord's melspectrogram floors each call's quiet parts 80 dB under that call's loudest, so a
# stream's 80 ms calls and a whole clip's one call differ there (digital silence: -8 against about
# 2.4). Under this, the verifier sees all alike: room tone at -75 dBFS is about 3, speech 5 to 11.
MEL_FLOOR = 3.5


def verifier_input(mel: np.ndarray) -> np.ndarray:
    """Mel windows (n, frames, 32) as the verifier takes them: floored at `MEL_FLOOR`."""
    return np.maximum(mel.astype(np.float32), MEL_FLOOR)


class Verifier:
    def __init__(self, path: Path) -> None:
        self._session = _session(path)
        shape = self._session.get_inputs()[0].shape
        self.frames = int(shape[1])
        if not 0 < self.frames <= MEL_KEPT or shape[2] != MEL_BANDS:
            raise ValueError(f"a wake verifier takes up to {MEL_KEPT} mel frames of {MEL_BANDS} bands")

    def score(self, mel: np.ndarray) -> np.ndarray:
        """Scores (n,) of mel windows (n, frames, 32)."""
        return self._session.run(None, {"x": verifier_input(mel)})[0]

    def clip_scores(self, mel: np.ndarray) -> np.ndarray:
        """The score the verifier would give after every 80 ms frame, given `Features.clip_mel`'s answer."""
        ends = mel_ends((len(mel) - MEL_KEPT) // MEL_STEP)
        if len(ends) == 0:
            return np.zeros(0, np.float32)
        return self.score(np.stack([mel[end - self.frames : end] for end in ends]))
