"""A small convolutional net over log-mel frames, trained with numpy, saved as ONNX: one of the
verifier's members (models/wake/verifier.py).

    (n, frames, 32) ─standardise per band─▶ conv k5 s2, `channels` ReLU ─▶ conv k5 s2, `channels` ReLU
        ─▶ max and mean over time ─▶ `dense` ReLU ─▶ 1 sigmoid ("score")

Pooling over time makes it indifferent to where in the window the word falls, which the flat MLP
has to learn position by position; it learns from the same inputs in fewer epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.wake.classifier import adam

__all__ = ["ConvNet", "train_convnet", "convnet_onnx"]

KERNEL, STRIDE = 5, 2


@dataclass
class ConvNet:
    mean: np.ndarray  # (bands,) input standardisation, per band
    scale: np.ndarray
    k1: np.ndarray  # (KERNEL * bands, channels): a convolution as a product over unfolded frames
    b1: np.ndarray
    k2: np.ndarray  # (KERNEL * channels, channels)
    b2: np.ndarray
    w3: np.ndarray  # (2 * channels, dense)
    b3: np.ndarray
    w4: np.ndarray  # (dense, 1)
    b4: np.ndarray

    def params(self) -> list[np.ndarray]:
        return [self.k1, self.b1, self.k2, self.b2, self.w3, self.b3, self.w4, self.b4]

    def score(self, x: np.ndarray, batch: int = 2048) -> np.ndarray:
        logits = [_forward(self, x[at : at + batch].astype(np.float32))[0] for at in range(0, len(x), batch)]
        return 1 / (1 + np.exp(-np.concatenate(logits)))


def _unfold(h: np.ndarray) -> np.ndarray:
    """(n, t, c) → (n, t', KERNEL * c): each output step's KERNEL input steps side by side."""
    steps = (h.shape[1] - KERNEL) // STRIDE + 1
    taps = [h[:, k : k + STRIDE * (steps - 1) + 1 : STRIDE] for k in range(KERNEL)]
    return np.stack(taps, axis=2).reshape(len(h), steps, -1)


def _forward(m: ConvNet, x: np.ndarray) -> tuple[np.ndarray, tuple]:
    u1 = _unfold((x - m.mean) / m.scale)
    h1 = np.maximum(0, u1 @ m.k1 + m.b1)
    u2 = _unfold(h1)
    h2 = np.maximum(0, u2 @ m.k2 + m.b2)
    pooled = np.concatenate([h2.max(axis=1), h2.mean(axis=1)], axis=1)
    a3 = np.maximum(0, pooled @ m.w3 + m.b3)
    return (a3 @ m.w4 + m.b4)[:, 0], (u1, h1, u2, h2, pooled, a3)


def _fold(grad: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`_unfold`'s adjoint: sum each tap's gradient back onto the steps it came from."""
    steps = grad.shape[1]
    taps = grad.reshape(len(grad), steps, KERNEL, -1)
    out = np.zeros_like(like)
    for k in range(KERNEL):
        out[:, k : k + STRIDE * (steps - 1) + 1 : STRIDE] += taps[:, :, k]
    return out


def _gradients(m: ConvNet, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Weighted binary cross-entropy and its gradients by backpropagation."""
    logit, (u1, h1, u2, h2, pooled, a3) = _forward(m, x)
    p = 1 / (1 + np.exp(-logit))
    loss = -np.sum(weight * (y * np.log(p + 1e-7) + (1 - y) * np.log(1 - p + 1e-7))) / weight.sum()
    d4 = ((p - y) * weight / weight.sum()).astype(np.float32)[:, None]
    d3 = (d4 @ m.w4.T) * (a3 > 0)
    d_pooled = d3 @ m.w3.T
    n, steps, channels = h2.shape
    d_h2 = np.broadcast_to(d_pooled[:, None, channels:] / steps, h2.shape).copy()
    rows, cols = np.arange(n)[:, None], np.arange(channels)[None, :]
    np.add.at(d_h2, (rows, h2.argmax(axis=1), cols), d_pooled[:, :channels])
    d2 = d_h2 * (h2 > 0)
    d1 = _fold(d2 @ m.k2.T, h1) * (h1 > 0)
    flat = lambda a: a.reshape(-1, a.shape[-1])  # noqa: E731
    grads = [flat(u1).T @ flat(d1), d1.sum((0, 1)), flat(u2).T @ flat(d2), d2.sum((0, 1))]
    return float(loss), [*grads, pooled.T @ d3, d3.sum(0), a3.T @ d4, d4.sum(0)]


def _init(x: np.ndarray, rng: np.random.Generator, channels: int, dense: int) -> ConvNet:
    sample = x[rng.choice(len(x), min(20000, len(x)), replace=False)].astype(np.float32)
    bands = x.shape[2]

    def layer(n_in: int, n_out: int) -> np.ndarray:
        return (rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)

    zeros = lambda n: np.zeros(n, np.float32)  # noqa: E731
    return ConvNet(
        sample.mean(axis=(0, 1)), sample.std(axis=(0, 1)) + 1e-3,
        layer(KERNEL * bands, channels), zeros(channels), layer(KERNEL * channels, channels), zeros(channels),
        layer(2 * channels, dense), zeros(dense), layer(dense, 1), zeros(1),
    )  # fmt: skip


def train_convnet(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    rng: np.random.Generator,
    epochs: int = 15,
    channels: int = 48,
    dense: int = 32,
    log=print,
) -> ConvNet:
    """`adam` on the weighted cross-entropy; `x` (n, frames, bands) may be float16 (cast per batch)."""
    model = _init(x, rng, channels, dense)

    def gradients(batch: np.ndarray) -> tuple[float, list[np.ndarray]]:
        batch = np.sort(batch)  # reads the big array in order
        return _gradients(model, x[batch].astype(np.float32), y[batch], weight[batch])

    adam(model.params(), gradients, len(x), rng, epochs, log, batch_size=256, swing=1.9e-3)
    return model


def convnet_onnx(model: ConvNet, frames: int, name: str = "atom_wake_convnet") -> bytes:
    """The net as an ONNX graph (opset 13): input `x` (n, frames, bands), output `score` (n,)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    bands, channels = model.mean.size, model.b1.size

    def const(name: str, value: np.ndarray) -> onnx.TensorProto:
        return numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)

    def kernel(k: np.ndarray, inputs: int) -> np.ndarray:  # unfolded (KERNEL * in, out) → ONNX's (out, in, KERNEL)
        return k.reshape(KERNEL, inputs, -1).transpose(2, 1, 0)

    inits = [
        const("mean", model.mean), const("scale", model.scale),
        const("k1", kernel(model.k1, bands)), const("b1", model.b1),
        const("k2", kernel(model.k2, channels)), const("b2", model.b2),
        const("w3", model.w3), const("b3", model.b3), const("w4", model.w4), const("b4", model.b4),
        numpy_helper.from_array(np.array([-1], np.int64), "score_shape"),
    ]  # fmt: skip
    conv = {"kernel_shape": [KERNEL], "strides": [STRIDE]}
    nodes = [
        helper.make_node("Sub", ["x", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["standard"]),
        helper.make_node("Transpose", ["standard"], ["bands_first"], perm=[0, 2, 1]),
        helper.make_node("Conv", ["bands_first", "k1", "b1"], ["z1"], **conv),
        helper.make_node("Relu", ["z1"], ["h1"]),
        helper.make_node("Conv", ["h1", "k2", "b2"], ["z2"], **conv),
        helper.make_node("Relu", ["z2"], ["h2"]),
        helper.make_node("ReduceMax", ["h2"], ["peak"], axes=[2], keepdims=0),
        helper.make_node("ReduceMean", ["h2"], ["average"], axes=[2], keepdims=0),
        helper.make_node("Concat", ["peak", "average"], ["pooled"], axis=1),
        helper.make_node("Gemm", ["pooled", "w3", "b3"], ["z3"]),
        helper.make_node("Relu", ["z3"], ["a3"]),
        helper.make_node("Gemm", ["a3", "w4", "b4"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
        helper.make_node("Reshape", ["probability", "score_shape"], ["score"]),
    ]
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", frames, bands])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["n"])],
        inits,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="atom")
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return onnx_model.SerializeToString()
