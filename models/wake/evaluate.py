"""How the shipped wake model (its two classifiers and verifier, as the detector runs them) does on
voices and audio it never trained on.

    python -m models.wake.evaluate --data-dir data    (atom-wake, wake-features, piper-joe installed)

- False rejects: "Atom" / "Hey Atom" by held-out voices (espeak-ng accents and variants, piper's joe
  near its default pace with little variation), clean and augmented (noise, room, speed); a clip
  counts as heard when the detector fires within a second of the phrase's end. "Followed": the same
  voices say "Atom <command>" in one breath (held-out commands with no near miss in them), where a
  detection anywhere in the clip counts.
- False accepts per hour: at least an hour of held-out negative audio (household sentences, some
  with near misses in them, noise, music-like tones) run through the detector with its refractory
  period.
- Near misses said alone ("Adam", "atoms", "bottom", ...): how many utterances of each wake it.
- Each rate with its 95 % interval: Wilson's for shares, the exact Poisson bound for events per hour
  (0 events in 6 h still allows 0.5/h; showing less takes more hours).
- CPU per 80 ms frame: the streaming detector's thread CPU time per frame; and per asking of the
  verifier, which runs only while a classifier's score stays high.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.voice.audio import RATE
from appliance.voice.wake import Detector, WakeModel, load_wake_model, threshold_for
from appliance.voice.wake.detector import detections
from appliance.voice.wake.features import FRAME_SAMPLES
from appliance.voice.wake.model import FrameScores
from models.wake import corpus
from models.wake.speech import Piper

__all__ = [
    "Report",
    "evaluate",
    "false_rejects",
    "false_accepts",
    "near_misses",
    "cpu_per_frame",
    "wilson",
    "poisson_upper",
    "THRESHOLDS",
    "CONDITIONS",
]

SEED = 2026  # not the training seed: a different draw of voices and augmentations
SENSITIVITIES = (1.0, 0.75, 0.5, 0.25)
THRESHOLDS = tuple(threshold_for(s) for s in SENSITIVITIES)
_SEGMENT_SECONDS = 60  # negative audio is scored a minute at a time
CONDITIONS = ("clean", "augmented", "followed", "followed, augmented")
MODES = (False, True)  # voice.wake_one_breath off (the default) and on


@dataclass
class Report:
    rejects: dict[str, tuple[int, int]]  # (missed, clips) per condition, threshold and mode (`_key`)
    accepts: dict[tuple[float, bool], int]  # false accepts per threshold and mode
    negative_seconds: float
    near_misses: dict[str, tuple[int, int]]  # word alone -> (utterances heard as "Atom", said), default threshold
    cpu_ms: float  # per 80 ms frame, median
    cpu_ms_p95: float
    verifier_ms: float | None = None  # per asking of the verifier (only while the first stage's run lasts), median


def wilson(hits: int, count: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95 % interval for a share of `hits` in `count` (sound near 0 %, unlike share ± 2 SE)."""
    if count == 0:
        return 0.0, 1.0
    share = hits / count
    middle = (share + z * z / (2 * count)) / (1 + z * z / count)
    half = z * math.sqrt(share * (1 - share) / count + z * z / (4 * count * count)) / (1 + z * z / count)
    return max(0.0, middle - half), min(1.0, middle + half)


def poisson_upper(events: int, confidence: float = 0.95) -> float:
    """The exact one-sided upper bound on a Poisson mean having seen `events` (3.0 for none at 95 %)."""

    def at_most(mean: float) -> float:
        return sum(math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1)) for k in range(events + 1))

    low, high = 0.0, events + 10.0 * math.sqrt(events + 1) + 10.0
    for _ in range(100):  # bisection: at_most falls as the mean grows
        mean = (low + high) / 2
        low, high = (mean, high) if at_most(mean) > 1 - confidence else (low, mean)
    return high


def _heard(model: WakeModel, clip: corpus.Clip, thresholds: tuple[float, ...]) -> dict[tuple[float, bool], bool]:
    """Heard: a detection within a second of the phrase's end, or anywhere when that is not known."""
    end = len(clip.samples) if clip.wake_end is None else clip.wake_end
    frames = _scored(model, np.concatenate([clip.samples, np.zeros(RATE, np.float32)])[: end + RATE])
    return {(t, mode): bool(_fired(frames, t, mode)) for t in thresholds for mode in MODES}


def _woke(model: WakeModel, clip: corpus.Clip, threshold: float) -> bool:
    return bool(_fired(_scored(model, clip.samples), threshold, one_breath=False))


def _scored(model: WakeModel, samples: np.ndarray) -> FrameScores:
    """Each frame's scores (what `detections` takes) of float audio."""
    return model.clip_frames(np.round(samples * 32767))


def _fired(frames: FrameScores, threshold: float, one_breath: bool) -> list[int]:
    breath = frames.breath if one_breath else None
    return detections(frames.lone, threshold, verified=frames.verified, breath=breath)


def _key(condition: str, threshold: float, one_breath: bool) -> str:
    return f"{condition}@{threshold}" + (" one breath" if one_breath else "")


def _conditions(count: int, piper: Piper, rng: np.random.Generator):  # noqa: ANN202
    """Each false-reject condition's clips: the wake phrase alone, and with a command straight after."""
    voices = corpus.held_out_voices()
    yield "clean", corpus.positives(count, voices, corpus.PiperTakes(piper, count), rng, vary=False)
    yield "augmented", corpus.positives(count, voices, corpus.PiperTakes(piper, count), rng, vary=True)
    yield "followed", corpus.held_out_followed(count, voices, corpus.PiperTakes(piper, count), rng, vary=False)
    yield "followed, augmented", corpus.held_out_followed(count, voices, corpus.PiperTakes(piper, count), rng, True)


def false_rejects(
    model: WakeModel, piper: Piper, count: int, rng: np.random.Generator, thresholds: tuple[float, ...] = THRESHOLDS
) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for condition, clips in _conditions(count, piper, rng):
        missed, said = dict.fromkeys([(t, m) for t in thresholds for m in MODES], 0), 0
        for clip in clips:
            said += 1
            for rule, heard in _heard(model, clip, thresholds).items():
                missed[rule] += not heard
        for (threshold, mode), count_missed in missed.items():
            out[_key(condition, threshold, mode)] = (count_missed, said)
    return out


def false_accepts(
    model: WakeModel, piper: Piper, seconds: float, rng: np.random.Generator, thresholds: tuple[float, ...] = THRESHOLDS
) -> tuple[dict[tuple[float, bool], int], float]:
    """Detections on `seconds` of negative audio, scored in one-minute stretches."""
    takes = corpus.PiperTakes(piper, 3)
    clips = corpus.held_out_negatives(10**9, corpus.held_out_voices(), takes, rng)
    fired = dict.fromkeys([(t, m) for t in thresholds for m in MODES], 0)
    total = 0.0
    while total < seconds:
        segment, length = [], 0
        while length < _SEGMENT_SECONDS * RATE:
            samples = next(clips).samples
            segment.append(samples)
            length += len(samples)
        frames = _scored(model, np.concatenate(segment))
        for threshold, mode in fired:
            fired[threshold, mode] += len(_fired(frames, threshold, mode))
        total += length / RATE
    return fired, total


def near_misses(
    model: WakeModel, piper: Piper, per_word: int, rng: np.random.Generator, threshold: float
) -> dict[str, tuple[int, int]]:
    """Per word said alone: (utterances that woke it, utterances)."""
    voices, takes = corpus.held_out_voices(), corpus.PiperTakes(piper, max(2, per_word // 5))
    out = {}
    for word in corpus.NEAR_MISSES:
        clips = [corpus.near_miss(word, voices, takes, rng) for _ in range(per_word)]
        woke = sum(_woke(model, clip, threshold) for clip in clips)
        out[word] = (woke, per_word)
    return out


def cpu_per_frame(model: WakeModel, seconds: float = 30.0) -> tuple[float, float]:
    """Median and 95th percentile thread CPU time (ms) of one 80 ms frame through the streaming detector."""
    rng = np.random.default_rng(SEED)
    audio = (rng.standard_normal(int(seconds * RATE)) * 2000).astype("<i2").tobytes()
    detector = Detector(model, threshold_for(0.5))
    step = FRAME_SAMPLES * 2
    costs = []
    for at in range(0, len(audio) - step + 1, step):
        started = time.thread_time()
        detector.process(audio[at : at + step])
        costs.append((time.thread_time() - started) * 1000)
    return float(np.median(costs)), float(np.percentile(costs, 95))


def verifier_cost(model: WakeModel, askings: int = 300) -> float | None:
    """Median thread CPU time (ms) of one asking of the verifier, None without one."""
    if model.verifier is None:
        return None
    rng = np.random.default_rng(SEED)
    mel = rng.standard_normal((1, model.verifier.frames, 32)).astype(np.float32)
    costs = []
    for _ in range(askings):
        started = time.thread_time()
        model.verifier.score(mel)
        costs.append((time.thread_time() - started) * 1000)
    return float(np.median(costs))


def evaluate(data_dir: Path, positives: int, negative_seconds: float, log=print, near_miss_count: int = 40) -> Report:
    model = load_wake_model(data_dir)
    if model is None:
        raise SystemExit(f"atom-wake and wake-features are not installed in {data_dir}")
    from models.wake.train import front_end

    piper = front_end(data_dir)[1]
    rng = np.random.default_rng(SEED)
    log(f"false rejects: {positives} held-out clips per condition")
    rejects = false_rejects(model, piper, positives, rng)
    log(f"false accepts: {negative_seconds / 3600:.2f} h of held-out negative audio")
    accepts, total = false_accepts(model, piper, negative_seconds, rng)
    log(f"near misses said alone: {near_miss_count} utterances per word")
    alone = near_misses(model, piper, near_miss_count, rng, threshold_for(0.5))
    cpu, cpu_p95 = cpu_per_frame(model)
    return Report(rejects, accepts, total, alone, cpu, cpu_p95, verifier_cost(model))


def print_report(report: Report, sensitivity_threshold: float = threshold_for(0.5)) -> None:
    for mode in MODES:
        _print_mode(report, sensitivity_threshold, mode)
    _print_rest(report)


def _print_mode(report: Report, sensitivity_threshold: float, one_breath: bool) -> None:
    hours = report.negative_seconds / 3600
    print(f"   voice.wake_one_breath {'on' if one_breath else 'off (the default)'}")
    print(f"   sensitivity (threshold): false rejects per condition | false accepts/h ({hours:.2f} h of negatives)")
    for sensitivity, threshold in zip(SENSITIVITIES, THRESHOLDS, strict=True):
        rejects = [(c, report.rejects[_key(c, threshold, one_breath)]) for c in CONDITIONS]
        events = report.accepts[threshold, one_breath]
        mark = "  <- default" if threshold == sensitivity_threshold else ""
        print(f"   {sensitivity:.2f} ({threshold:.2f}){mark}")
        print("     " + "; ".join(f"{c} {_share(*counts)}" for c, counts in rejects))
        bound = poisson_upper(events) / hours
        print(f"     false accepts {events / hours:.2f}/h ({events} events, 95 % upper bound {bound:.2f})")


def _print_rest(report: Report) -> None:
    print("   targets: FRR <= 5 %, false accepts <= 0.5 per hour")
    woke = {w: counts for w, counts in report.near_misses.items() if counts[0] > 0}
    listed = ", ".join(f"{w} {_share(*c)}" for w, c in sorted(woke.items(), key=lambda kv: -kv[1][0]))
    said = sum(n for _, n in report.near_misses.values())
    words = len(report.near_misses)
    print(f"   near misses said alone ({words} words, {said} utterances) that woke it: {listed or 'none'}")
    print(f"   CPU per 80 ms frame: {report.cpu_ms:.2f} ms median, {report.cpu_ms_p95:.2f} ms p95 (one thread)")
    if report.verifier_ms is not None:
        print(f"   the verifier, asked only while a classifier's score stays high: {report.verifier_ms:.2f} ms")


def _share(hits: int, count: int) -> str:
    low, high = wilson(hits, count)
    return f"{hits}/{count} = {hits / count:.1%} [{low:.1%}, {high:.1%}]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--positives", type=int, default=400)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--near-misses", type=int, default=40, help="utterances of each near miss said alone")
    args = parser.parse_args(argv)
    print_report(evaluate(args.data_dir, args.positives, args.hours * 3600, near_miss_count=args.near_misses))


if __name__ == "__main__":
    main()
