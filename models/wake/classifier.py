"""The wake classifier: a small MLP over the last 16 embeddings, trained with numpy, saved as ONNX.

    (1, 16, 96) ─flatten, standardise─▶ `width` ReLU ─▶ 64 ReLU ("hidden") ─▶ 1 sigmoid ("score")

The graph takes openWakeWord's classifier input and answers a score in [0, 1]; it also outputs the
last hidden layer, so a member's enrolment can re-fit only the final layer on top of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Mlp", "adam", "train_mlp", "to_onnx"]

_HIDDEN = 64


@dataclass
class Mlp:
    mean: np.ndarray  # (1536,) input standardisation
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    w3: np.ndarray  # (64, 1)
    b3: np.ndarray

    def hidden(self, x: np.ndarray) -> np.ndarray:
        h = np.maximum(0, ((x.reshape(len(x), -1) - self.mean) / self.scale) @ self.w1 + self.b1)
        return np.maximum(0, h @ self.w2 + self.b2)

    def score(self, x: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.hidden(x) @ self.w3 + self.b3)[:, 0]))

    def params(self) -> list[np.ndarray]:
        return [self.w1, self.b1, self.w2, self.b2, self.w3, self.b3]


def _init(x: np.ndarray, rng: np.random.Generator, width: int) -> Mlp:
    flat = x.reshape(len(x), -1)
    size = flat.shape[1]

    def layer(n_in: int, n_out: int) -> np.ndarray:
        return (rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)).astype(np.float32)

    return Mlp(
        flat.mean(axis=0), flat.std(axis=0) + 1e-3, layer(size, width), np.zeros(width, np.float32),
        layer(width, _HIDDEN), np.zeros(_HIDDEN, np.float32), layer(_HIDDEN, 1), np.zeros(1, np.float32),
    )  # fmt: skip


def _gradients(m: Mlp, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Weighted binary cross-entropy and its gradients by backpropagation."""
    z0 = (x - m.mean) / m.scale
    a1 = np.maximum(0, z0 @ m.w1 + m.b1)
    a2 = np.maximum(0, a1 @ m.w2 + m.b2)
    p = 1 / (1 + np.exp(-(a2 @ m.w3 + m.b3)[:, 0]))
    loss = -np.sum(weight * (y * np.log(p + 1e-7) + (1 - y) * np.log(1 - p + 1e-7))) / weight.sum()
    d3 = ((p - y) * weight / weight.sum())[:, None].astype(np.float32)
    d2 = (d3 @ m.w3.T) * (a2 > 0)
    d1 = (d2 @ m.w2.T) * (a1 > 0)
    return float(loss), [z0.T @ d1, d1.sum(0), a1.T @ d2, d2.sum(0), a2.T @ d3, d3.sum(0)]


def train_mlp(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    rng: np.random.Generator,
    epochs: int = 30,
    log=print,
    start: Mlp | None = None,
    width: int = _HIDDEN,
) -> Mlp:
    """`adam` on the weighted cross-entropy. `start`: go on training that model (after hard negatives
    were given more weight) instead of a fresh one. `width`: the first layer's size (the last hidden
    layer stays 64, what enrolment re-fits on)."""
    flat = x.reshape(len(x), -1).astype(np.float32)
    model = start or _init(flat, rng, width)
    adam(
        model.params(),
        lambda batch: _gradients(model, flat[batch], y[batch], weight[batch]),
        len(flat),
        rng,
        epochs,
        log,
    )
    return model


def adam(
    params: list[np.ndarray],
    gradients: Callable[[np.ndarray], tuple[float, list[np.ndarray]]],
    count: int,
    rng: np.random.Generator,
    epochs: int,
    log=print,
    batch_size: int = 512,
    swing: float = 9e-4,
) -> None:
    """Adam over mini-batches of `count` examples, in place on `params`: the rate falls from
    1e-4 + `swing` to 1e-4 along a cosine; a little weight decay. `gradients(batch)` answers a
    batch's loss and each parameter's gradient."""
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    step, decay = 0, 1e-4
    for epoch in range(epochs):
        rate = 1e-4 + swing * 0.5 * (1 + np.cos(np.pi * epoch / epochs))
        order = rng.permutation(count)
        losses = []
        for start in range(0, len(order), batch_size):
            loss, grads = gradients(order[start : start + batch_size])
            losses.append(loss)
            step += 1
            for p, g, m, v in zip(params, grads, moments, squares, strict=True):
                g = g + decay * p
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                p -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        log(f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f}")


def to_onnx(model: Mlp, shape: tuple[int, int] = (16, 96), name: str = "atom_wake") -> bytes:
    """The MLP as an ONNX graph (opset 13): input `x` (n, *shape), outputs `score` (n,) and `hidden` (n, 64)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def const(name: str, value: np.ndarray) -> onnx.TensorProto:
        return numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)

    inits = [
        const("mean", model.mean), const("scale", model.scale), const("w1", model.w1), const("b1", model.b1),
        const("w2", model.w2), const("b2", model.b2), const("w3", model.w3), const("b3", model.b3),
        numpy_helper.from_array(np.array([-1, model.mean.size], np.int64), "flat_shape"),
        numpy_helper.from_array(np.array([-1], np.int64), "score_shape"),
    ]  # fmt: skip
    nodes = [
        helper.make_node("Reshape", ["x", "flat_shape"], ["flat"]),
        helper.make_node("Sub", ["flat", "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["standard"]),
        helper.make_node("MatMul", ["standard", "w1"], ["z1"]),
        helper.make_node("Add", ["z1", "b1"], ["y1"]),
        helper.make_node("Relu", ["y1"], ["a1"]),
        helper.make_node("MatMul", ["a1", "w2"], ["z2"]),
        helper.make_node("Add", ["z2", "b2"], ["y2"]),
        helper.make_node("Relu", ["y2"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "w3"], ["z3"]),
        helper.make_node("Add", ["z3", "b3"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability"]),
        helper.make_node("Reshape", ["probability", "score_shape"], ["score"]),
    ]
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", *shape])],
        [
            helper.make_tensor_value_info("score", TensorProto.FLOAT, ["n"]),
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["n", _HIDDEN]),
        ],
        inits,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="atom")
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model)
    return onnx_model.SerializeToString()
