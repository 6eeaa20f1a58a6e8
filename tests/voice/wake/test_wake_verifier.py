"""The wake word's second stage: the verifier sees the mel frames a stream kept, streaming and clip
scoring decide alike, a run it refuses does not fire until it agrees (barely for the classifier,
firmly for the breath one), a misshapen verifier is refused, and its training nets (the conv net's
backpropagation, the averaged graph) are right."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from appliance.voice.audio import Pcm
from appliance.voice.wake import Detector, WakeModel, threshold_for
from appliance.voice.wake.detector import BREATH_AGREEMENT, LONE_AGREEMENT, detections
from appliance.voice.wake.features import FRAME_SAMPLES, MEL_KEPT, FeatureStream, mel_ends
from appliance.voice.wake.verifier import Verifier, verifier_input
from models.wake import classifier, convnet, verifier
from tests.voice.wake.conftest import joined, silence

DEFAULT = threshold_for(0.5)


def samples(pcm: Pcm) -> np.ndarray:
    return np.frombuffer(pcm.audio, "<i2").astype(np.float32)


def test_a_stream_keeps_the_mel_frames_clip_scoring_sees(wake_model: WakeModel, piper_says) -> None:
    """Digital silence too: the mel model floors each call's quiet parts apart, the verifier's input alike."""
    audio = samples(joined(silence(0.3), piper_says("Hey Atom, turn the heating up."), silence(0.5)))
    clip = verifier_input(wake_model.features.clip_mel(audio))
    stream = FeatureStream(wake_model.features)
    for frame, end in enumerate(mel_ends(len(audio) // FRAME_SAMPLES)):
        stream.push(audio[frame * FRAME_SAMPLES : (frame + 1) * FRAME_SAMPLES])
        assert np.allclose(verifier_input(stream.recent_mel(MEL_KEPT)), clip[end - MEL_KEPT : end], atol=1e-4)


@pytest.mark.parametrize(
    "text",
    ["Atom.", "Hey Atom turn the heating up a little.", "Atom set a timer for ten minutes.", "Adam bought a bottle."],
)
def test_streaming_fires_where_clip_scoring_says(wake_model: WakeModel, piper_says, text: str) -> None:
    audio = joined(silence(0.5), piper_says(text), silence(0.8))
    detector = Detector(wake_model, DEFAULT, one_breath=True)
    step = FRAME_SAMPLES * 2
    streamed = [at // step for at in range(0, len(audio.audio), step) if detector.process(audio.audio[at : at + step])]
    frames = wake_model.clip_frames(samples(audio))
    assert frames.breath is not None and frames.verified is not None  # the shipped model has both
    assert streamed == detections(frames.lone, DEFAULT, verified=frames.verified, breath=frames.breath)


def test_a_run_the_verifier_refuses_fires_only_once_it_agrees() -> None:
    scores, quiet = np.array([0.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1]), np.zeros(7)
    assert detections(scores, 0.5) == [3]
    assert detections(scores, 0.5, verified=np.array([0.9, 0.9, 0.9, 0.02, 0.05, 0.8, 0.9]), breath=quiet) == [5]
    assert detections(scores, 0.5, verified=np.array([0.9, 0.9, 0.9, 0.0, 0.0, 0.0, 0.9]), breath=quiet) == []
    assert detections(scores, 0.5, verified=np.full(7, LONE_AGREEMENT), breath=quiet) == [3]
    # the breath classifier's run needs firm agreement; with both runs long enough, either suffices
    firm, loose = np.full(7, BREATH_AGREEMENT), np.full(7, BREATH_AGREEMENT - 0.01)
    assert detections(quiet, 0.5, verified=firm, breath=scores) == [3]
    assert detections(quiet, 0.5, verified=loose, breath=scores) == []
    assert detections(scores, 0.5, verified=loose, breath=scores) == [3]


def test_a_verifier_of_another_shape_is_refused(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 200, 32)).astype(np.float32), np.tile([0.0, 1.0], 32).astype(np.float32)
    model = classifier.train_mlp(x, y, np.ones(64, np.float32), rng, epochs=1, log=lambda _: None)
    path = tmp_path / "verifier.onnx"
    path.write_bytes(classifier.to_onnx(model, (200, 32), "too_long"))
    with pytest.raises(ValueError, match="mel frames"):
        Verifier(path)


def test_the_conv_nets_gradients_are_the_losses_slopes() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 24, 4)), np.array([1.0, 0, 1, 0, 1, 1])
    net = convnet._init(x, rng, channels=3, dense=4)
    for name, value in vars(net).items():
        setattr(net, name, value.astype(np.float64) + rng.standard_normal(value.shape) * 0.1)
    weight = np.ones(6)
    _, grads = convnet._gradients(net, x, y, weight)
    for param, grad in zip(net.params(), grads, strict=True):
        at = tuple(rng.integers(0, size) for size in param.shape)
        kept = param[at]
        param[at] = kept + 1e-6
        above = convnet._gradients(net, x, y, weight)[0]
        param[at] = kept - 1e-6
        below = convnet._gradients(net, x, y, weight)[0]
        param[at] = kept
        assert grad[at] == pytest.approx((above - below) / 2e-6, rel=1e-3, abs=1e-8)


def test_the_averaged_verifier_graph_scores_as_its_members_do() -> None:
    import onnxruntime

    rng = np.random.default_rng(2)
    x = (rng.standard_normal((300, 40, 32)) * 2 + 5).astype(np.float16)
    y = (rng.random(300) < 0.5).astype(np.float32)
    settings = argparse.Namespace(epochs=1, width=8, conv_epochs=1, channels=4)
    members = [verifier.member(kind, x, y, rng, settings) for kind in ("mlp", "conv")]
    net = convnet.train_convnet(x, y, np.ones(300, np.float32), rng, epochs=1, channels=4, log=lambda _: None)

    def run(graph: bytes, inputs: np.ndarray) -> np.ndarray:
        return onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"]).run(None, {"x": inputs})[0]

    batch = verifier_input(x[:7])
    assert np.allclose(run(convnet.convnet_onnx(net, 40), batch), net.score(batch), atol=1e-5)
    both = run(verifier.averaged(members, 40, 32), batch)
    assert np.allclose(both, (run(members[0], batch) + run(members[1], batch)) / 2, atol=1e-6)
