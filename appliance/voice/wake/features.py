"""openWakeWord's shared front end (`wake-features`): audio → log-mel frames → 96-dim embeddings.

Facts the classifier relies on: 16 kHz int16-valued audio in; the melspectrogram model gives one
32-band frame per 10 ms (8 per 80 ms frame when fed the frame plus 480 samples of history), scaled
by `x / 10 + 2`; the embedding model turns the last 76 mel frames into one 96-dim vector, so one
embedding per 80 ms. A wake classifier looks at the last 16 embeddings (1.28 s); the verifier (the
second stage) at the last mel frames themselves, up to `MEL_KEPT` of them.

`Features` holds the two ONNX sessions (one per process); `FeatureStream` is one listener's state.
Both the streaming path and `clip_mel` (training, batch) start from the same quiet history and
call the melspectrogram once per 80 ms frame, so a clip scored either way gives the same mel frames
and embeddings. One call per clip would not: the model floors each call's quiet parts 80 dB under
that call's loudest frame, so where a clip is digitally silent a whole-clip call and a stream
disagree (about -8 streamed, 2.4 to 4.3 whole, after scaling); with any noise floor they nearly agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = [
    "Features",
    "FeatureStream",
    "FRAME_SAMPLES",
    "WINDOW",
    "EMBEDDING",
    "mel_ends",
    "MEL_BANDS",
    "MEL_KEPT",
    "MEL_STEP",
]

FRAME_SAMPLES = 1280  # 80 ms at 16 kHz: one embedding per frame
WINDOW = 16  # embeddings a classifier sees (1.28 s)
EMBEDDING = 96
_HISTORY = 480  # samples of context the melspectrogram needs before a frame (3 hops)
_MEL_WINDOW = 76  # mel frames per embedding
MEL_STEP = 8  # mel frames per 80 ms
MEL_BANDS = 32
MEL_KEPT = 160  # mel frames a stream keeps (1.6 s): the embedding's 76, and the verifier's look back
_QUIET_MEL = 1.0  # the transformed value of silence: what the buffers start from


def _session(path: Path, threads: int = 1):  # noqa: ANN202 - onnxruntime has no stubs
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class Features:
    """The melspectrogram and embedding models, loaded from the `wake-features` folder."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        self._mel = _session(folder / "melspectrogram.onnx", threads)
        self._embed = _session(folder / "embedding_model.onnx", threads)
        self.quiet = self.embed(np.full((1, _MEL_WINDOW, 32), _QUIET_MEL, dtype=np.float32))[0]

    def mel(self, samples: np.ndarray) -> np.ndarray:
        """Log-mel frames (n, 32) of int16-valued samples, transformed as openWakeWord does."""
        out = self._mel.run(None, {"input": samples.astype(np.float32)[None, :]})[0]
        return np.squeeze(out, axis=(1,)).reshape(-1, 32) / 10.0 + 2.0

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """Embeddings (n, 96) of mel windows (n, 76, 32)."""
        out = self._embed.run(None, {"input_1": windows[..., None].astype(np.float32)})[0]
        return out.reshape(-1, EMBEDDING)

    def clip_mel(self, samples: np.ndarray) -> np.ndarray:
        """The mel frames of every whole 80 ms frame of `samples` (int16 values), after `MEL_KEPT` quiet
        ones: frame i's newest mel frame is row `MEL_KEPT + MEL_STEP * (i + 1) - 1`, as a stream sees it."""
        frames = len(samples) // FRAME_SAMPLES
        quiet = np.full((MEL_KEPT, MEL_BANDS), _QUIET_MEL, np.float32)
        if frames == 0:
            return quiet
        audio = np.concatenate([np.zeros(_HISTORY, np.float32), samples[: frames * FRAME_SAMPLES].astype(np.float32)])
        calls = (audio[at : at + _HISTORY + FRAME_SAMPLES] for at in range(0, frames * FRAME_SAMPLES, FRAME_SAMPLES))
        return np.concatenate([quiet, *(self.mel(call)[:MEL_STEP] for call in calls)])

    def clip_embeddings(self, samples: np.ndarray) -> np.ndarray:
        """One embedding per whole 80 ms frame of `samples` (int16 values), as a stream would see them."""
        return self.mel_embeddings(self.clip_mel(samples))

    def mel_embeddings(self, mel: np.ndarray) -> np.ndarray:
        """One embedding per 80 ms frame of `clip_mel`'s answer."""
        frames = (len(mel) - MEL_KEPT) // MEL_STEP
        if frames == 0:
            return np.zeros((0, EMBEDDING), dtype=np.float32)
        return self.embed(np.stack([mel[end - _MEL_WINDOW : end] for end in mel_ends(frames)]))

    def windows(self, embeddings: np.ndarray) -> np.ndarray:
        """Every classifier input (n, 16, 96) ending at each frame, the quiet history in front."""
        if len(embeddings) == 0:
            return np.zeros((0, WINDOW, EMBEDDING), np.float32)
        padded = np.concatenate([np.repeat(self.quiet[None], WINDOW - 1, axis=0), embeddings])
        return np.lib.stride_tricks.sliding_window_view(padded, WINDOW, axis=0).transpose(0, 2, 1)


def mel_ends(frames: int) -> np.ndarray:
    """Where each 80 ms frame's mel frames end in `Features.clip_mel`'s answer (exclusive)."""
    return MEL_KEPT + MEL_STEP * np.arange(1, frames + 1)


class FeatureStream:
    """One listener's front end: feed 80 ms frames, read the newest 16 embeddings."""

    def __init__(self, features: Features) -> None:
        self._features = features
        self.reset()

    def reset(self) -> None:
        self._history = np.zeros(_HISTORY, np.float32)
        self._mel = np.full((MEL_KEPT, MEL_BANDS), _QUIET_MEL, np.float32)
        self._embeddings = np.repeat(self._features.quiet[None], WINDOW, axis=0)

    def push(self, frame: np.ndarray) -> np.ndarray:
        """Take one frame of 1280 int16-valued samples; the classifier's input (16, 96) ending with it."""
        audio = np.concatenate([self._history, frame.astype(np.float32)])
        self._history = audio[-_HISTORY:]
        self._mel = np.concatenate([self._mel, self._features.mel(audio)[:MEL_STEP]])[-MEL_KEPT:]
        newest = self._features.embed(self._mel[None, -_MEL_WINDOW:])
        self._embeddings = np.concatenate([self._embeddings[1:], newest])
        return self._embeddings

    def recent_mel(self, frames: int) -> np.ndarray:
        """The newest `frames` mel frames (frames, 32), at most `MEL_KEPT`."""
        return self._mel[-frames:]
