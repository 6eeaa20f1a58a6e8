"""Train Atom's wake-word classifiers, reproducibly (one seed each), and write them beside this script.

    nice python -m models.wake.stream --data-dir data --hours 1.2 --seed 101 --out stream1.npy
    nice python -m models.wake.stream --data-dir data --hours 1.2 --seed 102 --out stream2.npy
    OPENBLAS_NUM_THREADS=1 nice python -m models.wake.train --data-dir data --features base.npz \
        --stream stream1.npy --stream stream2.npy --stream-sample 60000
    OPENBLAS_NUM_THREADS=1 nice python -m models.wake.train --data-dir data --features base.npz \
        --stream stream1.npy --stream stream2.npy --stream-sample 60000 --followed 2000 --breath

Then train the verifier on the breath classifier's candidates (models/wake/verifier.py): it learns
that model's confusions, so it is retrained whenever that one is.

Needs the `wake-features` and `piper-joe` models installed in `data-dir` (`atom models install
wake-features piper-joe`) and Debian's espeak-ng. Writes `atom-wake.onnx` (the classifier) and
`atom-wake-bank.npz` (hidden-layer activations of some training windows, which a member's
enrolment re-fits the last layer against), or with `--breath` `atom-wake-breath.onnx` alone; then
prints their sha256 and size for the manifest.

Hard-negative mining: after the first fit, every window of the long training-side negative stream
(`stream.py`) is scored, and each one over `_MINED_SCORE` joins the training set as a weighted
negative; the model trains on, and the next round mines again with the better model.

Near misses said alone (`lone.py`: "Adam", "Hey Adam", "atoms", ... with quiet around them) join the
base set with `--lone-weight` times a base negative's weight: alone, a word gives the classifier
nothing around it to go on, and a household with an Adam says it often.

"Atom <command>" in one breath (`--followed N`, `corpus.followed`): a model that learnt "Atom" only
with quiet after it missed about half of held-out commands said straight after the wake word. These
clips teach it (the shipped breath classifier has 2,000), at a price: "Adam <words>" wakes it too,
which the verifier then turns down. `--followed-near-misses N` adds the same shape with the wrong first word
("Tom set a timer…") as negatives; the shipped model has none (README's wake-word section says why).
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
from appliance.voice.wake.model import BANK_FILE, BREATH_FILE, CLASSIFIER_FILE
from models.wake import classifier, corpus, lone, sentences, validate
from models.wake.speech import Piper, have_espeak

HERE = Path(__file__).resolve().parent
_AFTER_END = (640, 4 * FRAME_SAMPLES)  # positive windows end 40-320 ms after the wake phrase
_NEGATIVE_CAP = 60_000  # windows of negative audio kept for training (memory and time)
_BANK = 3000
_HARD_SCORE, _HARD_WEIGHT = 0.05, 4.0  # a negative scoring over this weighs this much more next round
_PIPER_WAKE_TAKES = 40  # piper takes of each wake phrase (each then augmented many ways)
_PIPER_OTHER_TAKES = 4
_MINED_SCORE, _MINED_WEIGHT = 0.05, 4.0  # a stream window over this score joins as a negative weighing this
_VALIDATION_THRESHOLDS = (0.5, 0.61, 0.7, 0.8, 0.9, 0.95)


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


def more_positives(data_dir: Path, seed: int, count: int, log=print) -> np.ndarray:
    """Windows of `count` more wake clips, drawn apart from the base set (more voices and takes), so
    the threshold can stay high while mining pushes wake-like negatives down."""
    features, piper = front_end(data_dir)
    rng = np.random.default_rng(seed + 2)
    takes = corpus.PiperTakes(piper, _PIPER_WAKE_TAKES)
    x, y = dataset(features, corpus.positives(count, corpus.training_voices(), takes, rng, vary=True), log)
    return x[y > 0]


def followed(data_dir: Path, seed: int, count: int, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Windows of `count` clips of "Atom" with a household command straight after it: a windows
    ending just after the phrase holds the command's first sound, which must not hide the wake word
    (a model that only knew "Atom" then quiet missed half of held-out "Atom <command>")."""
    features, piper = front_end(data_dir)
    rng = np.random.default_rng(seed + 3)
    takes = corpus.PiperTakes(piper, _PIPER_WAKE_TAKES)
    held_out = frozenset(corpus.HELD_OUT_SENTENCES)
    clips = corpus.followed(count, corpus.training_voices(), takes, rng, lambda r: sentences.sentence(r, held_out))
    return dataset(features, clips, log)


def followed_near_misses(data_dir: Path, seed: int, count: int, log=print) -> tuple[np.ndarray, np.ndarray]:
    """The same shape with the wrong first word ("Tom set a timer…"), every window a no. "Adam" is
    not among them: to this front end "Adam <words>" is "Atom <words>", and as a negative it took back
    what the one-breath clips taught (README)."""
    features, piper = front_end(data_dir)
    rng = np.random.default_rng(seed + 4)
    takes = corpus.PiperTakes(piper, _PIPER_OTHER_TAKES)
    held_out = frozenset(corpus.HELD_OUT_SENTENCES)
    clips = corpus.followed(
        count,
        corpus.training_voices(),
        takes,
        rng,
        lambda r: sentences.sentence(r, held_out),
        corpus.FOLLOWED_NEAR_MISSES,
    )
    return dataset(features, clips, log)


def balanced(y: np.ndarray) -> np.ndarray:
    """Weights giving both classes the same total."""
    positives = max(1.0, float(y.sum()))
    return np.where(y > 0, (len(y) - positives) / positives, 1.0).astype(np.float32)


def scores(model: classifier.Mlp, x: np.ndarray) -> np.ndarray:
    return np.concatenate([model.score(x[i : i + 4096].astype(np.float32)) for i in range(0, len(x), 4096)])


def harder(model: classifier.Mlp, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """More weight on the negative windows the model still finds wake-like ("Adam", "atoms", ...)."""
    hard = (y == 0) & (scores(model, x) > _HARD_SCORE)
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


def mine(model: classifier.Mlp, stream: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """`taken` (which stream windows are training negatives) with every one now over `_MINED_SCORE` added."""
    return taken | (scores(model, stream) > _MINED_SCORE)


def with_stream(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, stream: np.ndarray, sample: np.ndarray, taken: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The base windows plus the stream's sampled (weight 1) and mined (`_MINED_WEIGHT`) negatives,
    positives re-weighted so both classes weigh the same in total."""
    mined = np.flatnonzero(taken)
    sample = np.setdiff1d(sample, mined)
    extra = np.concatenate([np.ones(len(sample), np.float32), np.full(len(mined), _MINED_WEIGHT, np.float32)])
    x_all = np.concatenate([x, stream[sample], stream[mined]])
    y_all = np.concatenate([y, np.zeros(len(extra), np.float32)])
    w_all = np.concatenate([weight, extra])
    negatives = w_all[y_all == 0].sum()
    w_all[y_all > 0] = negatives / max(1.0, float(y_all.sum()))
    return x_all, y_all, w_all


def report(model: classifier.Mlp, validation: validate.Validation | None, alone: lone.Lone | None = None) -> None:
    if validation is not None:
        for patience in (1, 2, 3, 4):
            table = validate.rates(lambda w: scores(model, w), validation, _VALIDATION_THRESHOLDS, patience)
            row = ", ".join(f"{t:.2f}: {frr:.1%} FRR {fa:.1f}/h" for t, (frr, fa) in table.items())
            print(f"  validation, patience {patience}: {row}")
    if alone is not None:
        for threshold, words in validate.lone_rates(
            lambda w: scores(model, w), alone, _VALIDATION_THRESHOLDS, 3
        ).items():
            worst = ", ".join(f"{w} {share:.0%}" for w, share in sorted(words.items(), key=lambda kv: -kv[1])[:6])
            print(f"  alone, patience 3, {threshold:.2f}: mean {np.mean(list(words.values())):.1%}; {worst}")


def with_lone(x: np.ndarray, y: np.ndarray, weight: np.ndarray, said: lone.Lone, factor: float):  # noqa: ANN201
    """The base windows, weights and labels with the lone near misses' windows ending outside the word
    as negatives weighing `factor`."""
    extra = np.full(int(said.negative.sum()), factor, np.float32)
    return (
        np.concatenate([x, said.windows[said.negative].astype(x.dtype)]),
        np.concatenate([y, np.zeros(len(extra), np.float32)]),
        np.concatenate([weight, extra]),
    )


def load_base(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    if args.features and args.features.exists():
        with np.load(args.features) as saved:
            x, y = saved["x"], saved["y"]
    else:
        x, y = build(args.data_dir, args.seed, args.positives, args.negatives)
        if args.features:
            np.savez(args.features, x=x, y=y)
    if args.more_positives:
        more = _cached(
            args, ".positives.npz", lambda: _all_wake(more_positives(args.data_dir, args.seed, args.more_positives))
        )
        x, y = np.concatenate([x, more[0]]), np.concatenate([y, more[1]])
    if args.followed:
        extra = _cached(args, ".followed.npz", lambda: followed(args.data_dir, args.seed, args.followed))
        x, y = np.concatenate([x, extra[0]]), np.concatenate([y, extra[1]])
    if args.followed_near_misses:
        count = args.followed_near_misses
        extra = _cached(args, ".followed-near.npz", lambda: followed_near_misses(args.data_dir, args.seed, count))
        x, y = np.concatenate([x, extra[0]]), np.concatenate([y, extra[1]])
    return x, y


def _all_wake(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x, np.ones(len(x), np.float32)


def _cached(args: argparse.Namespace, suffix: str, make) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Windows and labels kept beside `--features` (reused when present), else made."""
    cache = args.features.with_suffix(suffix) if args.features else None
    if cache and cache.exists():
        with np.load(cache) as saved:
            return saved["x"], saved["y"]
    x, y = make()
    if cache:
        np.savez(cache, x=x, y=y)
    return x, y


def fit(  # noqa: ANN201
    args: argparse.Namespace,
    x: np.ndarray,
    y: np.ndarray,
    validation: validate.Validation | None,
    alone: lone.Lone | None = None,
):
    """The first fit and its hard-negative rounds, then mining rounds over the stream, if given."""
    rng = np.random.default_rng(args.seed + 1)
    streams = [np.load(path) for path in args.stream]
    stream = np.concatenate(streams) if streams else np.zeros((0, *x.shape[1:]), np.float16)
    sample = rng.choice(len(stream), min(args.stream_sample, len(stream)), replace=False)
    taken = np.zeros(len(stream), bool)
    weight = balanced(y)
    for path in args.lone:
        x, y, weight = with_lone(x, y, weight, lone.load(path), args.lone_weight)
    x_all, y_all, w_all = with_stream(x, y, weight, stream, sample, taken)
    model = classifier.train_mlp(x_all, y_all, w_all, rng, epochs=args.epochs, width=args.width)
    report(model, validation, alone)
    for round_ in range(args.hard_rounds + args.mining_rounds):
        weight = harder(model, x, y, weight) if round_ < args.hard_rounds else weight
        taken = mine(model, stream, taken) if round_ >= args.hard_rounds else taken
        hard = int(((weight > 1.01) & (y == 0)).sum())
        print(f"round {round_ + 1}: {hard} base and {int(taken.sum())} stream negatives weigh more")
        x_all, y_all, w_all = with_stream(x, y, weight, stream, sample, taken)
        model = classifier.train_mlp(x_all, y_all, w_all, rng, epochs=args.epochs // 2, start=model)
        report(model, validation, alone)
    return model, x_all, y_all, rng


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--positives", type=int, default=800)
    parser.add_argument("--negatives", type=int, default=1400)
    parser.add_argument("--more-positives", type=int, default=1200, help="wake clips drawn apart from the base set")
    parser.add_argument(
        "--followed", type=int, default=0, help="wake clips with a command straight after (the shipped model: none)"
    )
    parser.add_argument(
        "--followed-near-misses", type=int, default=0, help='"Tom <command>" and the like, as negatives'
    )
    parser.add_argument("--epochs", type=int, default=16)
    parser.add_argument("--width", type=int, default=64, help="the first hidden layer's size")
    parser.add_argument("--hard-rounds", type=int, default=2, help="rounds of extra weight on confusing negatives")
    parser.add_argument("--mining-rounds", type=int, default=3, help="rounds of mining the stream's wake-like windows")
    parser.add_argument("--features", type=Path, help="keep the computed windows here, and reuse them when present")
    parser.add_argument(
        "--stream",
        type=Path,
        action="append",
        default=[],
        help="stream.py's windows of training-side negative audio; repeatable",
    )
    parser.add_argument("--stream-sample", type=int, default=30_000, help="random stream windows always trained on")
    parser.add_argument("--validation", type=Path, help="validate.py's output: print its figures after each round")
    parser.add_argument("--lone", type=Path, action="append", default=[], help="lone.py's near misses said alone")
    parser.add_argument("--lone-weight", type=float, default=8.0, help="a lone near-miss window's weight")
    parser.add_argument("--lone-validation", type=Path, help="lone.py's output by another seed: per-word rates")
    parser.add_argument("--breath", action="store_true", help="write the breath classifier (with --followed)")
    args = parser.parse_args(argv)
    if not have_espeak():
        parser.error("espeak-ng is missing: sudo apt-get install espeak-ng")
    started = time.monotonic()
    x, y = load_base(args)
    print(f"{len(y)} windows, {int(y.sum())} of them wake ({time.monotonic() - started:.0f} s)")
    validation = validate.load(args.validation) if args.validation else None
    alone = lone.load(args.lone_validation) if args.lone_validation else None
    model, x_all, y_all, rng = fit(args, x, y, validation, alone)
    if args.breath:
        write(args.out / BREATH_FILE, classifier.to_onnx(model))
    else:
        write(args.out / CLASSIFIER_FILE, classifier.to_onnx(model))
        write(args.out / BANK_FILE, bank(model, x_all, y_all, rng))
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
