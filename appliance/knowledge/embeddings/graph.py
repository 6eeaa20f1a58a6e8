"""An ONNX graph of a BERT encoder with sentence-transformers pooling, built from its safetensors weights.

Inputs `input_ids` and `attention_mask` (int64, batch × tokens); output `sentence_embedding`
(float32, batch × hidden): the mean of the last hidden states over the mask, L2-normalised.
Standard ONNX ops only (opset 17), so onnxruntime's own fusions (Gelu, LayerNorm, MatMul+Add)
apply. Built once per model with the `onnx` helpers; no PyTorch anywhere.

Folded at build time, since they are constants: the single token type into the position table,
1/sqrt(head size) into the query weights, and Q, K, V into one matrix multiply per layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from appliance.knowledge.embeddings.shape import BertShape

__all__ = ["build_graph", "OPSET", "OUTPUT"]

OPSET = 17  # LayerNormalization and Shape(start, end) are there; onnxruntime 1.16+ runs it
OUTPUT = "sentence_embedding"
_MASKED = -1e9  # added to the attention scores of padding, so softmax gives it no weight

Weights = Mapping[str, np.ndarray]


class _Builder:
    """Collects nodes and initializers; every op returns the name of its (single) output."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, kind: str, *inputs: str, name: str = "", **attrs: Any) -> str:
        return self.ops(kind, inputs, 1, name=name, **attrs)[0]

    def ops(self, kind: str, inputs: Sequence[str], count: int, name: str = "", **attrs: Any) -> list[str]:
        """`name` names the node (quantization can be told to leave some out by name)."""
        stem = f"{kind.lower()}_{len(self.nodes)}"
        outputs = [f"{stem}_{i}" for i in range(count)]
        self.nodes.append(helper.make_node(kind, list(inputs), outputs, name=name or stem, **attrs))
        return outputs


def build_graph(weights: Weights, shape: BertShape) -> onnx.ModelProto:
    """The whole model: embeddings, `shape.layers` encoder layers, mean pooling, normalisation."""
    g = _Builder()
    _common_constants(g)
    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)
    bias = g.op("Unsqueeze", g.op("Mul", g.op("Sub", "one", mask), "masked"), "axes_1_2")
    x = _embeddings(g, weights, shape)
    for layer in range(shape.layers):
        x = _layer(g, weights, shape, f"encoder.layer.{layer}", x, bias)
    _pool(g, x, mask)
    return _model(g, shape)


def _common_constants(g: _Builder) -> None:
    g.const("one", np.array(1.0, dtype=np.float32))
    g.const("half", np.array(0.5, dtype=np.float32))
    g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    g.const("masked", np.array(_MASKED, dtype=np.float32))
    g.const("tiny", np.array(1e-12, dtype=np.float32))  # F.normalize's eps
    g.const("min_count", np.array(1e-9, dtype=np.float32))  # sentence-transformers' clamp on the token count
    g.const("zero_1d", np.array([0], dtype=np.int64))
    g.const("axis_1", np.array([1], dtype=np.int64))
    g.const("axes_1_2", np.array([1, 2], dtype=np.int64))
    g.const("axis_last", np.array([-1], dtype=np.int64))


def _embeddings(g: _Builder, w: Weights, shape: BertShape) -> str:
    words = g.op("Gather", g.const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids")
    table = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    length = g.op("Shape", "input_ids", start=1, end=2)
    positions = g.op("Slice", g.const("position_embeddings", table), "zero_1d", length, "zero_1d")
    return _norm(g, w, shape, "embeddings.LayerNorm", g.op("Add", words, positions))


def _layer(g: _Builder, w: Weights, shape: BertShape, name: str, x: str, bias: str) -> str:
    attention = _linear(g, w, f"{name}.attention.output.dense", _attention(g, w, shape, name, x, bias))
    x = _norm(g, w, shape, f"{name}.attention.output.LayerNorm", g.op("Add", attention, x))
    inner = _gelu(g, _linear(g, w, f"{name}.intermediate.dense", x))
    out = _linear(g, w, f"{name}.output.dense", inner)
    return _norm(g, w, shape, f"{name}.output.LayerNorm", g.op("Add", out, x))


def _attention(g: _Builder, w: Weights, shape: BertShape, name: str, x: str, bias: str) -> str:
    sizes = g.const(f"{name}.split", np.array([shape.hidden] * 3, dtype=np.int64))
    q, k, v = g.ops("Split", [_qkv(g, w, shape, name, x), sizes], 3, axis=-1)
    heads = g.const(f"{name}.heads", np.array([0, 0, shape.heads, shape.head_size], dtype=np.int64))
    q = g.op("Transpose", g.op("Reshape", q, heads), perm=[0, 2, 1, 3])  # batch, head, token, size
    k = g.op("Transpose", g.op("Reshape", k, heads), perm=[0, 2, 3, 1])  # batch, head, size, token
    v = g.op("Transpose", g.op("Reshape", v, heads), perm=[0, 2, 1, 3])
    scores = g.op("Softmax", g.op("Add", g.op("MatMul", q, k), bias), axis=-1)
    context = g.op("Transpose", g.op("MatMul", scores, v), perm=[0, 2, 1, 3])
    flat = g.const(f"{name}.flat", np.array([0, 0, shape.hidden], dtype=np.int64))
    return g.op("Reshape", context, flat)


def _qkv(g: _Builder, w: Weights, shape: BertShape, name: str, x: str) -> str:
    part = f"{name}.attention.self"
    scale = 1.0 / math.sqrt(shape.head_size)
    matrix = np.concatenate(
        [w[f"{part}.query.weight"].T * scale, w[f"{part}.key.weight"].T, w[f"{part}.value.weight"].T], axis=1
    )
    offset = np.concatenate([w[f"{part}.query.bias"] * scale, w[f"{part}.key.bias"], w[f"{part}.value.bias"]])
    product = g.op("MatMul", x, g.const(f"{part}.qkv.weight", matrix.astype(np.float32)), name=f"{part}.qkv")
    return g.op("Add", product, g.const(f"{part}.qkv.bias", offset.astype(np.float32)))


def _linear(g: _Builder, w: Weights, name: str, x: str) -> str:
    product = g.op("MatMul", x, g.const(f"{name}.weight", w[f"{name}.weight"].T), name=name)
    return g.op("Add", product, g.const(f"{name}.bias", w[f"{name}.bias"]))


def _gelu(g: _Builder, x: str) -> str:
    """The exact (erf) GELU BERT uses, in the form onnxruntime fuses into one Gelu kernel."""
    inner = g.op("Add", g.op("Erf", g.op("Div", x, "sqrt2")), "one")
    return g.op("Mul", g.op("Mul", x, inner), "half")


def _norm(g: _Builder, w: Weights, shape: BertShape, name: str, x: str) -> str:
    scale, offset = g.const(f"{name}.weight", w[f"{name}.weight"]), g.const(f"{name}.bias", w[f"{name}.bias"])
    return g.op("LayerNormalization", x, scale, offset, axis=-1, epsilon=shape.layer_norm_eps)


def _pool(g: _Builder, x: str, mask: str) -> None:
    """Mean over the real tokens, then divided by its length (sentence-transformers' Pooling, Normalize)."""
    weights = g.op("Unsqueeze", mask, "axis_last")  # batch, token, 1
    total = g.op("ReduceSum", g.op("Mul", x, weights), "axis_1", keepdims=0)
    count = g.op("Max", g.op("ReduceSum", weights, "axis_1", keepdims=0), "min_count")
    mean = g.op("Div", total, count)
    length = g.op("Max", g.op("ReduceL2", mean, axes=[1], keepdims=1), "tiny")
    g.nodes.append(helper.make_node("Div", [mean, length], [OUTPUT]))


def _model(g: _Builder, shape: BertShape) -> onnx.ModelProto:
    tokens = ["batch", "tokens"]
    graph = helper.make_graph(
        g.nodes,
        "sentence_encoder",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, tokens),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, tokens),
        ],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", shape.hidden])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="atom")
    model.ir_version = 8  # what opset 17 came with; readable by every onnxruntime that runs opset 17
    onnx.checker.check_model(model)
    return model
