"""Train Atom's wake-word model, reproducibly (one seed), and write it beside this script.

    nice python -m models.wake.train --data-dir data

Needs the `wake-features` and `piper-joe` models installed in `data-dir` (`atom models install
wake-features piper-joe`) and Debian's espeak-ng. Writes `atom-wake.onnx` (the classifier) and
`atom-wake-bank.npz` (hidden-layer activations of some training windows, which a member's
enrolment re-fits the last layer against), then prints their sha256 and size for the manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time
from pathlib import Path

import numpy as np

from appliance.ai.models import require_model
from appliance.voice.wake.features import FRAME_SAMPLES, Features
from models.wake import classifier, corpus
from models.wake.speech import Piper, have_espeak

HERE = Path(__file__).resolve().parent
_AFTER_END = (640, 4 * FRAME_SAMPLES)  # positive windows end 40-320 ms after the wake phrase
_NEGATIVE_CAP = 60_000  # windows of negative audio kept for training (memory and time)
_BANK = 3000
_HARD_SCORE, _HARD_WEIGHT = 0.05, 4.0  # a negative scoring over this weighs this much more next round
_PIPER_WAKE_TAKES = 40  # piper takes of each wake phrase (each then augmented many ways)
_PIPER_OTHER_TAKES = 4  # hidden activations kept per class for enrolment


def front_end(data_dir: Path, threads: int = 2) -> tuple[Features, Piper]:
    features = require_model(data_dir, "wake-features", role="wake-features").directory(data_dir)
    voice = require_model(data_dir, "piper-joe", role="tts")
    onnx = next(f for f in voice.files if f.path.endswith(".onnx"))
    return Features(features, threads), Piper(voice.path(data_dir, onnx))


def labelled_windows(features: Features, clip: corpus.Clip) -> tuple[np.ndarray, np.ndarray]:
    """The clip's classifier inputs and labels (1 wake, 0 not); windows around the phrase's start
    and middle are left out (neither a clear yes nor a clear no)."""
    samples = clip.samples if clip.wake_end is None else clip.samples[: clip.wake_end + _AFTER_END[1] + FRAME_SAMPLES]
    windows = features.windows(features.clip_embeddings(np.round(samples * 32767)))
    ends = FRAME_SAMPLES * np.arange(1, len(windows) + 1)
    if clip.wake_end is None:
        return windows, np.zeros(len(windows), np.float32)
    assert clip.wake_start is not None
    positive = (ends >= clip.wake_end + _AFTER_END[0]) & (ends <= clip.wake_end + _AFTER_END[1])
    negative = ends <= clip.wake_start + FRAME_SAMPLES
    keep = positive | negative
    return windows[keep], positive[keep].astype(np.float32)


def dataset(features: Features, clips, log=print) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for count, clip in enumerate(clips, 1):
        x, y = labelled_windows(features, clip)
        xs.append(x.astype(np.float16))
        ys.append(y)
        if count % 100 == 0:
            log(f"  {count} clips")
    return np.concatenate(xs), np.concatenate(ys)


def build(data_dir: Path, seed: int, positives: int, negatives: int, log=print) -> tuple[np.ndarray, np.ndarray]:
    features, piper = front_end(data_dir)
    rng = np.random.default_rng(seed)
    voices = corpus.training_voices()
    log(f"synthesising {positives} positive clips and {negatives} negative clips")
    wake_takes, other_takes = corpus.PiperTakes(piper, _PIPER_WAKE_TAKES), corpus.PiperTakes(piper, _PIPER_OTHER_TAKES)
    x_pos, y_pos = dataset(features, corpus.positives(positives, voices, wake_takes, rng, vary=True), log)
    x_neg, y_neg = dataset(features, corpus.negatives(negatives, voices, other_takes, rng, vary=True), log)
    if len(x_neg) > _NEGATIVE_CAP:
        keep = rng.choice(len(x_neg), _NEGATIVE_CAP, replace=False)
        x_neg, y_neg = x_neg[keep], y_neg[keep]
    return np.concatenate([x_pos, x_neg]), np.concatenate([y_pos, y_neg])


def balanced(y: np.ndarray) -> np.ndarray:
    """Weights giving both classes the same total."""
    positives = max(1.0, float(y.sum()))
    return np.where(y > 0, (len(y) - positives) / positives, 1.0).astype(np.float32)


def harder(model: classifier.Mlp, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """More weight on the negative windows the model still finds wake-like ("Adam", "atoms", ...)."""
    scores = np.concatenate([model.score(x[i : i + 4096].astype(np.float32)) for i in range(0, len(x), 4096)])
    hard = (y == 0) & (scores > _HARD_SCORE)
    weight = weight.copy()
    weight[hard] *= _HARD_WEIGHT
    return weight


def bank(model: classifier.Mlp, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> bytes:
    chosen = {}
    for name, label in (("negatives", 0.0), ("positives", 1.0)):
        rows = np.flatnonzero(y == label)
        rows = rng.choice(rows, min(_BANK, len(rows)), replace=False)
        chosen[name] = model.hidden(x[rows].astype(np.float32)).astype(np.float16)
    out = io.BytesIO()
    np.savez_compressed(out, **chosen)
    return out.getvalue()


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    print(f"{path.name}: sha256 {hashlib.sha256(data).hexdigest()}, size {len(data)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--positives", type=int, default=800)
    parser.add_argument("--negatives", type=int, default=1400)
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--hard-rounds", type=int, default=2, help="rounds of extra weight on confusing negatives")
    parser.add_argument("--features", type=Path, help="keep the computed windows here, and reuse them when present")
    args = parser.parse_args(argv)
    if not have_espeak():
        parser.error("espeak-ng is missing: sudo apt-get install espeak-ng")
    started = time.monotonic()
    if args.features and args.features.exists():
        with np.load(args.features) as saved:
            x, y = saved["x"], saved["y"]
    else:
        x, y = build(args.data_dir, args.seed, args.positives, args.negatives)
        if args.features:
            np.savez(args.features, x=x, y=y)
    print(f"{len(y)} windows, {int(y.sum())} of them wake ({time.monotonic() - started:.0f} s)")
    rng = np.random.default_rng(args.seed + 1)
    weight = balanced(y)
    model = classifier.train_mlp(x, y, weight, rng, epochs=args.epochs)
    for round_ in range(args.hard_rounds):
        weight = harder(model, x, y, weight)
        print(f"hard negatives, round {round_ + 1}: {int((weight > 1.01).sum())} windows weigh more")
        model = classifier.train_mlp(x, y, weight, rng, epochs=args.epochs // 2, start=model)
    write(args.out / "atom-wake.onnx", classifier.to_onnx(model))
    write(args.out / "atom-wake-bank.npz", bank(model, x, y, rng))
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
