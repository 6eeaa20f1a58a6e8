"""The oracle for the embedding tests and the benchmark's raw baseline: a plain numpy BERT forward.

Written from the BERT paper's equations and the sentence-transformers pooling of this model (mean
over the attention mask, then L2 normalised), straight from the safetensors weights, with none of
the ONNX graph builder's tricks (no fused QKV, no folded scale or embeddings), so the two agree only
if the graph is right.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

__all__ = ["NumpyBert"]

Array = np.ndarray


class NumpyBert:
    def __init__(self, folder: Path, max_length: int = 256) -> None:
        self.weights = load_file(str(folder / "model.safetensors"))
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length)

    def embed(self, texts: Sequence[str]) -> Array:
        """One sentence at a time, unpadded: the plainest possible reading of the model."""
        return np.stack([self.embed_ids(self.tokenizer.encode(t).ids) for t in texts])

    def embed_ids(self, ids: Sequence[int]) -> Array:
        hidden = self.encode(np.asarray(ids, dtype=np.int64))
        mean = hidden.mean(axis=0)
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)

    def encode(self, ids: Array) -> Array:
        w = self.weights
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        for layer in range(self.layers):
            x = self._layer(x, f"encoder.layer.{layer}")
        return x

    def _layer(self, x: Array, name: str) -> Array:
        attention = self._linear(self._attention(x, f"{name}.attention.self"), f"{name}.attention.output.dense")
        x = self._norm(attention + x, f"{name}.attention.output.LayerNorm")
        inner = self._linear(x, f"{name}.intermediate.dense")
        inner = 0.5 * inner * (1.0 + _erf(inner / math.sqrt(2.0)))
        return self._norm(self._linear(inner, f"{name}.output.dense") + x, f"{name}.output.LayerNorm")

    def _attention(self, x: Array, name: str) -> Array:
        length, width = x.shape
        size = width // self.heads

        def split(part: str) -> Array:  # (heads, length, size)
            return self._linear(x, f"{name}.{part}").reshape(length, self.heads, size).transpose(1, 0, 2)

        q, k, v = split("query"), split("key"), split("value")
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probabilities = scores / scores.sum(axis=-1, keepdims=True)
        return (probabilities @ v).transpose(1, 0, 2).reshape(length, width)

    def _linear(self, x: Array, name: str) -> Array:
        return x @ self.weights[f"{name}.weight"].T + self.weights[f"{name}.bias"]

    def _norm(self, x: Array, name: str) -> Array:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        scaled = (x - mean) / np.sqrt(variance + self.eps)
        return scaled * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]


def _erf(x: Array) -> Array:
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7), as numpy has no erf of its own."""
    sign, a = np.sign(x), np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(x.dtype)
