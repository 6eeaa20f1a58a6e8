"""Long training-side negative audio, for mining the windows the model still finds wake-like.

    nice python -m models.wake.stream --data-dir data --hours 1.2 --seed 101 --out stream1.npy

Household talk from `sentences` (thousands of distinct sentences, near misses in many carriers),
near misses said alone, the fixed training sentences, noise and music-like tones, all by training
voices and augmented, one clip after another as a room would hear them. Every classifier window of
every minute is kept (float16), so a mining round only has to score them, never to synthesise again.
The same script with another seed gives the training-side validation stream that picks the
detector's threshold and patience; the held-out evaluation (`evaluate.py`) stays unseen.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from appliance.voice.audio import RATE
from appliance.voice.wake.features import Features
from models.wake import augment, corpus, sentences

__all__ = ["negative_clips", "stream_windows", "SEGMENT_SECONDS"]

SEGMENT_SECONDS = 60  # scored a minute at a time from a quiet start, as evaluate.py does
_HELD_OUT = frozenset(corpus.HELD_OUT_SENTENCES)


def _text(rng: np.random.Generator) -> str:
    kind = rng.random()
    if kind < 0.5:
        return sentences.sentence(rng, _HELD_OUT)
    if kind < 0.8:
        return sentences.near_miss_sentence(rng, _HELD_OUT)
    if kind < 0.92:
        return str(rng.choice(corpus.NEAR_MISSES))
    return str(rng.choice(corpus.SENTENCES + corpus.NEAR_MISS_SENTENCES))


def negative_clips(
    voices: corpus.Voices, piper: corpus.PiperTakes | None, rng: np.random.Generator
) -> Iterator[corpus.Clip]:
    """Endless training-side negative clips, a short pause around each."""
    while True:
        if rng.random() < 0.15:
            audio = corpus.non_speech(rng)
        else:
            speech = corpus.speak(_text(rng), voices, piper, rng)
            if speech.size == 0:
                continue
            audio = corpus.placed(augment.augmented(speech, rng), rng, (0.1, 0.6), (0.1, 0.6))[0]
        yield corpus.Clip(corpus.background(audio, rng), None)


def stream_windows(features: Features, clips: Iterator[corpus.Clip], seconds: float, log=print) -> np.ndarray:
    """Every classifier window (n, 16, 96) of `seconds` of the clips run together, a minute at a time."""
    out, total = [], 0.0
    while total < seconds:
        segment, length = [], 0
        while length < SEGMENT_SECONDS * RATE:
            segment.append(next(clips).samples)
            length += len(segment[-1])
        audio = np.round(np.concatenate(segment) * 32767)
        out.append(features.windows(features.clip_embeddings(audio)).astype(np.float16))
        total += length / RATE
        log(f"  {total / 60:.0f} of {seconds / 60:.0f} minutes")
    return np.concatenate(out)


def main(argv: list[str] | None = None) -> None:
    from models.wake.train import front_end

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--hours", type=float, default=1.2)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    features, piper = front_end(args.data_dir)
    clips = negative_clips(corpus.training_voices(), corpus.PiperTakes(piper, 1), np.random.default_rng(args.seed))
    windows = stream_windows(features, clips, args.hours * 3600)
    np.save(args.out, windows)
    print(f"{len(windows)} windows in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
