"""Training-side validation: picks the detector's threshold and patience, and when mining stops.

    nice python -m models.wake.validate --data-dir data --stream val.npy --out validation.npz

`lone_rates` does the same for `lone.py`'s near misses said alone (a seed training never draws):
the share of those clips that wake the detector, word by word.

Positives are "Atom" / "Hey Atom" clips by training voices (a seed training never draws), each cut a
second after the phrase as evaluate.py cuts them; negatives are a training-side stream from
`stream.py` with its own seed. Nothing here touches the held-out voices or sentences, so choosing
by these figures does not tune on the held-out evaluation.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.voice.audio import RATE
from appliance.voice.wake.detector import detections
from appliance.voice.wake.features import FRAME_SAMPLES, Features
from models.wake import corpus, lone

__all__ = ["Validation", "build", "load", "rates", "lone_rates"]

_SEED = 303


@dataclass
class Validation:
    positives: np.ndarray  # windows of every positive clip, one after another
    lengths: np.ndarray  # windows per positive clip
    negatives: np.ndarray  # windows of the negative stream
    frame_seconds: float = FRAME_SAMPLES / RATE


def build(features: Features, piper: corpus.PiperTakes, count: int, negatives: np.ndarray) -> Validation:
    rng = np.random.default_rng(_SEED)
    voices, xs, lengths = corpus.training_voices(), [], []
    for vary in (False, True):
        for clip in corpus.positives(count // 2, voices, piper, rng, vary=vary):
            assert clip.wake_end is not None
            audio = np.concatenate([clip.samples, np.zeros(RATE, np.float32)])[: clip.wake_end + RATE]
            xs.append(features.windows(features.clip_embeddings(np.round(audio * 32767))).astype(np.float16))
            lengths.append(len(xs[-1]))
    return Validation(np.concatenate(xs), np.array(lengths), negatives)


def load(path: Path) -> Validation:
    with np.load(path) as saved:
        return Validation(saved["positives"], saved["lengths"], saved["negatives"])


def rates(
    score, validation: Validation, thresholds: tuple[float, ...], patience: int
) -> dict[float, tuple[float, float]]:
    """(false reject share, false accepts per hour) per threshold; `score` maps windows to scores."""
    positive, negative = score(validation.positives), score(validation.negatives)
    clips = np.split(positive, np.cumsum(validation.lengths)[:-1])
    hours = len(negative) * validation.frame_seconds / 3600
    out = {}
    for threshold in thresholds:
        missed = sum(not detections(s, threshold, patience=patience) for s in clips)
        out[threshold] = (missed / len(clips), len(detections(negative, threshold, patience=patience)) / hours)
    return out


def lone_rates(score, said: lone.Lone, thresholds: tuple[float, ...], patience: int) -> dict[float, dict[str, float]]:
    """Per threshold, the share of each word's lone clips that wake the detector."""
    clips = np.split(score(said.windows), np.cumsum(said.lengths)[:-1])
    out: dict[float, dict[str, float]] = {}
    for threshold in thresholds:
        woke = np.array([bool(detections(s, threshold, patience=patience)) for s in clips])
        out[threshold] = {lone.WORDS[i]: float(woke[said.words == i].mean()) for i in np.unique(said.words)}
    return out


def main(argv: list[str] | None = None) -> None:
    from models.wake.train import front_end

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--stream", type=Path, required=True, help="a stream.py output with its own seed")
    parser.add_argument("--positives", type=int, default=400)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    features, piper = front_end(args.data_dir)
    validation = build(features, corpus.PiperTakes(piper, 8), args.positives, np.load(args.stream))
    np.savez(args.out, positives=validation.positives, lengths=validation.lengths, negatives=validation.negatives)
    print(f"{len(validation.lengths)} positive clips, {len(validation.negatives)} negative windows")


if __name__ == "__main__":
    main()
