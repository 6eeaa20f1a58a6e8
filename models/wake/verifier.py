"""Train the wake word's second stage (appliance/voice/wake/verifier.py), reproducibly, beside this script.

    nice python -m models.wake.verifier --data-dir data --seed 7001 --save inputs-7001.npz &
    nice python -m models.wake.verifier --data-dir data --seed 7002 --save inputs-7002.npz &
    wait; nice python -m models.wake.verifier --data-dir data --inputs inputs-7001.npz --inputs inputs-7002.npz

It learns from the candidates of its first stage, the breath classifier (`atom-wake-breath.onnx`,
train.py's `--followed 2000 --breath`), the one that needs it most. Training voices (never the
held-out ones) say: the wake phrase alone; "Atom <command>" in one breath; the same with a near miss
first ("Adam set a timer…", "Tom …", "atoms …"), as negatives; and the first stage's negatives (near
misses, other sentences, noise, music-like tones). That classifier, beside this script, scores every
clip, and:
- in a wake clip, every frame ending from `_BEFORE_END` before to `_AFTER_END` after the phrase's end
  is a yes (where a detection's first asking frame falls, and the frames after it);
- in any other clip, every frame the first stage scores at least `_CANDIDATE` is a no, and a few
  others at random.
Each frame's input is the `frames` mel frames ending with it (`verifier_input`). The `--members`
learn them, each from its own seed: by default an MLP (models/wake/classifier.py) and two conv
nets (models/wake/convnet.py), whose errors differ enough that their mean score beats each. One
graph averaging them is written as `atom-wake-verifier.onnx`; its sha256 and size are printed for
the manifest. Retrain it whenever the first stage changes: it learns that stage's
confusions. `--save` only builds one seed's inputs (so two run side by side, one per core), and
`--inputs` trains on saved ones; without either, one seed's inputs are built and trained on.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from appliance.ai.models import require_model
from appliance.voice.wake.features import FRAME_SAMPLES, MEL_KEPT, mel_ends
from appliance.voice.wake.model import BREATH_FILE, FEATURES_MODEL, WakeModel
from appliance.voice.wake.verifier import MEL_FLOOR, VERIFIER_FILE, verifier_input
from models.wake import classifier, convnet, corpus, sentences
from models.wake.speech import have_espeak
from models.wake.train import HERE, balanced, front_end, write

_BEFORE_END, _AFTER_END = 80 * 16, 500 * 16  # samples: a wake clip's frames ending in here are yes
_CANDIDATE = 0.3  # a first-stage score from which a frame of other audio is a no
_SAMPLED = 0.03  # the share of other frames taken as no, whatever their score
_PIPER_WAKE_TAKES, _PIPER_OTHER_TAKES = 40, 4
_NEAR_OPENERS = ("Adam", "Hey Adam", "Adam,", *corpus.FOLLOWED_NEAR_MISSES)


def clips(data_dir: Path, seed: int, count: int) -> Iterator[corpus.Clip]:
    """`count` each of: the phrase alone, "Atom <command>", "<near miss> <command>"; twice as many negatives."""
    piper = front_end(data_dir, threads=1)[1]
    rng = np.random.default_rng(seed)
    voices = corpus.training_voices()
    held_out = frozenset(corpus.HELD_OUT_SENTENCES)

    def command(r: np.random.Generator) -> str:
        return sentences.sentence(r, held_out)

    wake, other = corpus.PiperTakes(piper, _PIPER_WAKE_TAKES), corpus.PiperTakes(piper, _PIPER_OTHER_TAKES)
    yield from corpus.positives(count, voices, wake, rng, vary=True)
    yield from corpus.followed(count, voices, wake, rng, command)
    yield from corpus.followed(count, voices, other, rng, command, _NEAR_OPENERS)
    yield from corpus.negatives(2 * count, voices, other, rng, vary=True)


def labelled(
    model: WakeModel, frames: int, clip: corpus.Clip, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The clip's verifier inputs and labels (1 wake, 0 not), as `frames` mel frames (float16)."""
    samples = np.round(clip.samples * 32767)
    scores = model.clip_scores(samples)
    ends = FRAME_SAMPLES * np.arange(1, len(scores) + 1)
    if clip.wake_end is not None:
        chosen = np.flatnonzero((ends >= clip.wake_end - _BEFORE_END) & (ends <= clip.wake_end + _AFTER_END))
    else:
        chosen = np.flatnonzero((scores >= _CANDIDATE) | (rng.random(len(scores)) < _SAMPLED))
    mel = model.features.clip_mel(samples)
    windows = np.stack([mel[end - frames : end] for end in mel_ends(len(scores))[chosen]]) if len(chosen) else None
    if windows is None:
        return np.zeros((0, frames, mel.shape[1]), np.float16), np.zeros(0, np.float32)
    return windows.astype(np.float16), np.full(len(chosen), clip.wake_end is not None, np.float32)


def build(data_dir: Path, seed: int, count: int, frames: int, first_stage: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every clip's labelled inputs, for one seed."""
    features = require_model(data_dir, FEATURES_MODEL, role="wake-features").directory(data_dir)
    model = WakeModel(features, first_stage)
    rng = np.random.default_rng(seed + 1)
    xs, ys = [], []
    for done, clip in enumerate(clips(data_dir, seed, count), 1):
        x, y = labelled(model, frames, clip, rng)
        xs.append(x)
        ys.append(y)
        if done % 500 == 0:
            print(f"  {done} clips")
    return np.concatenate(xs), np.concatenate(ys)


def load(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for path in paths:
        with np.load(path) as saved:
            xs.append(saved["x"])
            ys.append(saved["y"])
    return np.concatenate(xs), np.concatenate(ys)


def member(kind: str, x: np.ndarray, y: np.ndarray, rng: np.random.Generator, args: argparse.Namespace) -> bytes:
    """One member net trained on the floored inputs, as ONNX bytes (input `x`, output `score`)."""
    print(f"training {kind}")
    if kind == "mlp":
        model = classifier.train_mlp(verifier_input(x), y, balanced(y), rng, epochs=args.epochs, width=args.width)
        return classifier.to_onnx(model, (x.shape[1], x.shape[2]), "atom_wake_verifier")
    if kind == "conv":
        floored = np.maximum(x, np.float16(MEL_FLOOR))  # verifier_input's values, kept in float16
        model = convnet.train_convnet(floored, y, balanced(y), rng, epochs=args.conv_epochs, channels=args.channels)
        return convnet.convnet_onnx(model, x.shape[1])
    raise SystemExit(f"unknown verifier member {kind!r}: mlp or conv")


def averaged(members: list[bytes], frames: int, bands: int) -> bytes:
    """One ONNX graph whose `score` is the mean of the members' scores, all fed the same `x`."""
    import onnx
    from onnx import TensorProto, compose, helper

    parts = [compose.add_prefix(onnx.load_from_string(m), f"m{i}_") for i, m in enumerate(members)]
    feeds = [helper.make_node("Identity", ["x"], [f"m{i}_x"]) for i in range(len(parts))]
    mean = helper.make_node("Mean", [f"m{i}_score" for i in range(len(parts))], ["score"])
    graph = helper.make_graph(
        [*feeds, *(node for part in parts for node in part.graph.node), mean],
        "atom_wake_verifier",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", frames, bands])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["n"])],
        [init for part in parts for init in part.graph.initializer],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="atom")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--out", type=Path, default=HERE, help="where the first stage is, and the verifier goes")
    parser.add_argument("--seed", type=int, default=7001)
    parser.add_argument("--clips", type=int, default=3000, help="clips of each kind (twice as many negatives)")
    parser.add_argument("--frames", type=int, default=MEL_KEPT, help="mel frames the verifier sees (10 ms each)")
    parser.add_argument("--members", default="mlp,conv,conv", help="the nets whose scores are averaged")
    parser.add_argument("--width", type=int, default=128, help="an MLP's first hidden layer")
    parser.add_argument("--epochs", type=int, default=30, help="an MLP's epochs")
    parser.add_argument("--channels", type=int, default=48, help="a conv net's channels")
    parser.add_argument("--conv-epochs", type=int, default=15)
    parser.add_argument("--save", type=Path, help="build this seed's labelled inputs, save them here, and stop")
    parser.add_argument("--inputs", type=Path, action="append", default=[], help="saved inputs to train on")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.inputs:
        x, y = load(args.inputs)
    elif not have_espeak():
        parser.error("espeak-ng is missing: sudo apt-get install espeak-ng")
    else:
        x, y = build(args.data_dir, args.seed, args.clips, args.frames, args.out / BREATH_FILE)
    print(f"{len(y)} inputs, {int(y.sum())} of them wake ({time.monotonic() - started:.0f} s)")
    if args.save:
        np.savez(args.save, x=x, y=y)
        return
    members = [
        member(kind, x, y, np.random.default_rng(args.seed + 2 + i), args)
        for i, kind in enumerate(args.members.split(","))
    ]
    write(args.out / VERIFIER_FILE, averaged(members, x.shape[1], x.shape[2]))
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
