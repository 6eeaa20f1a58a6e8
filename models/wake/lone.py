"""Near misses said alone, with quiet around them, by training voices: the hardest negatives.

    nice python -m models.wake.lone --data-dir data --per-word 48 --seed 404 --out lone-train.npz
    nice python -m models.wake.lone --data-dir data --per-word 24 --seed 505 --out lone-val.npz

A word on its own ("Adam", "atoms", "Hey Adam") gives the classifier nothing around it to go on, so
these clips are kept apart: `train.py --lone` trains on every window of them with extra weight, and
`validate.py`'s `--lone` set (another seed) shows, word by word, how often such a clip wakes the
detector, so the weight and threshold are chosen there and never on the held-out bench. Half of the
clips are clean (as `evaluate.py` says them), half augmented (speed, room, noise).

Training takes only the windows ending before the word or after it (as a positive's windows end
after the phrase): a window ending inside "atoms" holds "Atom" and barely the "z", and calling it a
negative would teach the model to miss "Atom" itself.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.voice.wake.features import FRAME_SAMPLES, Features
from models.wake import augment, corpus

__all__ = ["WORDS", "Lone", "build", "clips", "load", "save"]

# The held-out bench's words alone and a few more spellings of the worst ("at 'em", "Adams").
WORDS = tuple(dict.fromkeys((*corpus.NEAR_MISSES, "at 'em", "Adams", "Adam.", "Hey, Adam!", "Atoms.", "Autumn.")))


@dataclass
class Lone:
    windows: np.ndarray  # every window of every clip, one clip after another (float16)
    lengths: np.ndarray  # windows per clip
    words: np.ndarray  # index into WORDS per clip
    negative: np.ndarray  # per window: ends before the word or after it (what training takes)


def clips(
    per_word: int, voices: corpus.Voices, piper: corpus.PiperTakes, rng: np.random.Generator
) -> Iterator[tuple[int, corpus.Clip]]:
    """`per_word` clips of each word alone, alternately clean and augmented; `wake_start` and
    `wake_end` mark where the word is (the clip has no wake word)."""
    for index, word in enumerate(WORDS):
        for take in range(per_word):
            speech = corpus.speak(word, voices, piper, rng)
            if speech.size == 0:
                continue
            speech = augment.augmented(speech, rng) if take % 2 else augment.gain(speech, rng)
            audio, start, end = corpus.placed(speech, rng, (0.3, 0.6), (0.6, 0.8))
            yield index, corpus.Clip(corpus.background(audio, rng), end, start)


def outside(count: int, start: int, end: int) -> np.ndarray:
    """Which of `count` windows end before the word starts or from 40 ms after it ends."""
    ends = FRAME_SAMPLES * np.arange(1, count + 1)
    return (ends <= start + FRAME_SAMPLES) | (ends >= end + 640)


def build(features: Features, piper: corpus.PiperTakes, per_word: int, seed: int, log=print) -> Lone:
    rng = np.random.default_rng(seed)
    xs, lengths, words, negative = [], [], [], []
    for count, (index, clip) in enumerate(clips(per_word, corpus.training_voices(), piper, rng), 1):
        assert clip.wake_start is not None and clip.wake_end is not None
        xs.append(features.windows(features.clip_embeddings(np.round(clip.samples * 32767))).astype(np.float16))
        lengths.append(len(xs[-1]))
        words.append(index)
        negative.append(outside(len(xs[-1]), clip.wake_start, clip.wake_end))
        if count % 100 == 0:
            log(f"  {count} clips")
    return Lone(np.concatenate(xs), np.array(lengths), np.array(words), np.concatenate(negative))


def save(path: Path, lone: Lone) -> None:
    np.savez(path, windows=lone.windows, lengths=lone.lengths, words=lone.words, negative=lone.negative)


def load(path: Path) -> Lone:
    with np.load(path) as saved:
        return Lone(saved["windows"], saved["lengths"], saved["words"], saved["negative"])


def main(argv: list[str] | None = None) -> None:
    from models.wake.train import front_end

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--per-word", type=int, default=48)
    parser.add_argument("--seed", type=int, default=404)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    features, piper = front_end(args.data_dir)
    lone = build(features, corpus.PiperTakes(piper, 6), args.per_word, args.seed)
    save(args.out, lone)
    print(f"{len(lone.lengths)} clips, {len(lone.windows)} windows in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
