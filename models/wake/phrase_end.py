"""Where the detector thinks "Atom" ended, against where it did: the measurement behind the
detector's `END_MARGIN_MS` (re-run it after retraining the model).

    python -m models.wake.phrase_end --data-dir data    (atom-wake, wake-features, piper-joe installed)

The detector fires PATIENCE frames into a run of scores over the threshold; the first frame of that
run ends `offset` after the phrase really ended (the classifier was trained to score windows ending
40-320 ms after it high). On held-out voices (piper's joe, steady, and espeak-ng voices training
never used) this prints the distribution of that offset in two settings:
- "alone": `corpus.positives` clips ("Atom", "Hey Atom" with quiet after);
- "one breath": "Atom" then a command 0-150 ms later, in the same voice (the satellite's case).
Then, for some margins, how often the estimate cuts into the command (lies after the command's
first sample; also as if every command followed with no gap) and how much of "Atom" it keeps.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.voice.audio import RATE
from appliance.voice.wake import Detector, WakeModel, load_wake_model, threshold_for
from appliance.voice.wake.detector import END_MARGIN_MS
from appliance.voice.wake.features import FRAME_SAMPLES
from models.wake import augment, corpus
from models.wake.speech import Piper, espeak

__all__ = ["Measured", "measure", "one_breath", "main"]

SEED = 4242
COMMANDS = (
    "add bread to the shopping list", "set a timer for ten minutes", "turn off the kitchen lights",
    "what is the weather like tomorrow", "remind me to call grandma", "put eggs on the list",
    "play some music", "what time is it", "lock the front door", "how long until dinner",
)  # fmt: skip
MARGINS_MS = (40, 80, 100, 120, 140, 160, 200)
_LATE = RATE * 3 // 2  # a detection more than 1.5 s after the phrase's end is not this phrase's


@dataclass
class Measured:
    offsets_ms: list[float]  # first frame over the threshold ends this long after the phrase's end
    gaps_ms: list[float]  # the quiet between the phrase's end and the command (0 for "alone" clips)
    missed: int  # clips the detector did not fire on


def run_start_end(model: WakeModel, samples: np.ndarray, threshold: float, wake_end: int) -> int | None:
    """The end (in samples) of the first frame of the run that fired (the clip's first detection, by a
    streaming `Detector`), if it fired by 1.5 s after the phrase's end."""
    detector = Detector(model, threshold)
    pcm = np.round(samples * 32767).astype("<i2")
    for start in range(0, len(pcm), FRAME_SAMPLES):
        if detector.process(pcm[start : start + FRAME_SAMPLES].tobytes()):
            if start + FRAME_SAMPLES > wake_end + _LATE:
                return None
            return detector.phrase_end + END_MARGIN_MS * RATE // 1000
    return None


def one_breath(voices: corpus.Voices, piper: Piper, rng: np.random.Generator) -> tuple[corpus.Clip, int]:
    """The wake phrase then a command after 0-150 ms of quiet, one voice; the clip and the gap in samples."""
    phrase, command = str(rng.choice(corpus.WAKE_PHRASES)), str(rng.choice(COMMANDS))
    if rng.random() < 0.4:
        setting = voices.piper(rng)
        wake, said = piper.say(phrase, setting), piper.say(command, setting)
    else:
        voice = voices.espeak_voice(rng)
        wake, said = espeak(phrase, voice), espeak(command, voice)
    gap = int(rng.uniform(0.0, 0.15) * RATE)
    speech = augment.gain(np.concatenate([wake, np.zeros(gap, np.float32), said]), rng)
    audio, start, _ = corpus.placed(speech, rng, (0.2, 1.4), (0.5, 0.9))
    return corpus.Clip(corpus.background(audio, rng), start + len(wake), start), gap


def measure(model: WakeModel, clips, threshold: float) -> Measured:
    out = Measured([], [], 0)
    for clip, gap in clips:
        end = run_start_end(model, clip.samples, threshold, clip.wake_end)
        if end is None:
            out.missed += 1
            continue
        out.offsets_ms.append((end - clip.wake_end) * 1000 / RATE)
        out.gaps_ms.append(gap * 1000 / RATE)
    return out


def summary(name: str, measured: Measured) -> None:
    offsets, gaps = np.array(measured.offsets_ms), np.array(measured.gaps_ms)
    heard = len(offsets)
    print(f"{name}: {heard} detected, {measured.missed} missed")
    if heard == 0:
        return
    points = (0, 1, 5, 50, 95, 99, 100)
    print("  offset ms at percentiles " + ", ".join(f"p{p} {np.percentile(offsets, p):.0f}" for p in points))
    print("  margin ms | cut (at the clip's gap) | cut (command at the end), by up to | 'Atom' kept median, p95")
    for margin in sorted({*MARGINS_MS, END_MARGIN_MS}):
        estimate = offsets - margin  # how far after the phrase's end the estimate lies
        cut, cut_at_end = estimate > gaps, estimate > 0
        kept = np.clip(-estimate, 0, None)
        mark = "  <- END_MARGIN_MS" if margin == END_MARGIN_MS else ""
        print(
            f"  {margin:9} | {cut.mean():6.1%} | {cut_at_end.mean():6.1%}, {max(0.0, estimate.max()):4.0f} ms "
            f"| {np.median(kept):4.0f}, {np.percentile(kept, 95):4.0f} ms{mark}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--clips", type=int, default=300, help="clips per setting")
    parser.add_argument("--sensitivity", type=float, default=0.5)
    args = parser.parse_args(argv)
    model = load_wake_model(args.data_dir)
    if model is None:
        raise SystemExit(f"atom-wake and wake-features are not installed in {args.data_dir}")
    from models.wake.train import front_end

    piper, voices = front_end(args.data_dir)[1], corpus.held_out_voices()
    rng, threshold = np.random.default_rng(SEED), threshold_for(args.sensitivity)
    alone = corpus.positives(args.clips, voices, corpus.PiperTakes(piper, args.clips), rng, vary=False)
    summary("alone", measure(model, ((c, 0) for c in alone), threshold))
    breath = (one_breath(voices, piper, rng) for _ in range(args.clips))
    summary("one breath", measure(model, breath, threshold))


if __name__ == "__main__":
    main()
