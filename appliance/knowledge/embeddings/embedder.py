"""The embedder: texts in, L2-normalised sentence vectors out, through onnxruntime on the CPU.

`open_embedder` loads the model (building its graph first if the model folder has none); the
caller does that once, lazily, and keeps the result. Every call blocks: the server runs them on
worker threads, never on the event loop.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort

from appliance.ai.models import InstalledModel, require_model
from appliance.errors import ModelMissing
from appliance.knowledge.embeddings.batches import MAX_BATCH, pad, plan_batches
from appliance.knowledge.embeddings.derived import WEIGHTS_FILE, Quantization, ensure_graph
from appliance.knowledge.embeddings.graph import OUTPUT
from appliance.knowledge.embeddings.shape import read_shape
from appliance.knowledge.embeddings.tokens import SPECIAL_TOKENS, TextTokenizer

__all__ = ["Embedder", "open_embedder", "embed_thread_count", "DEFAULT_MODEL", "DEFAULT_QUANTIZATION"]

DEFAULT_MODEL = "minilm-l6-v2"
DEFAULT_QUANTIZATION: Quantization = "int8"  # measured: see README, "Knowledge"
_SOURCES = (WEIGHTS_FILE, "config.json")  # the files the graph is made from
_SLOWER_FUSIONS = ["SkipLayerNormFusion"]


def embed_thread_count(threads: int) -> int:
    """`threads` if set, else the usable cores less one (at least 1): a core stays free for requests."""
    if threads > 0:
        return threads
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, usable - 1)


class Embedder:
    """A loaded model (see `open_embedder`). Thread-safe: onnxruntime's `run` may overlap."""

    def __init__(
        self,
        tokenizer: TextTokenizer,
        session: ort.InferenceSession,
        dims: int,
        model_id: str,
        quantization: Quantization,
    ) -> None:
        self._tokenizer = tokenizer
        self._session = session
        # int8 quantizes each batch's activations with one scale, so a text's vector would depend on
        # its neighbours in the batch; one text per run keeps it the same, at no measured cost
        self._max_batch = 1 if quantization == "int8" else MAX_BATCH
        self.threads = session.get_session_options().intra_op_num_threads
        """CPU threads one call computes on."""
        self.dims = dims
        """Length of each vector (384 for MiniLM-L6)."""
        self.max_tokens = tokenizer.max_length - SPECIAL_TOKENS
        """The most tokens of one text an embedding reads (as `count_tokens` counts); the rest is cut off."""
        self.model_id = model_id
        """Names the model, its weights and the quantization: vectors compare only under one model_id."""

    def count_tokens(self, text: str) -> int:
        """Tokens in `text` as the model splits it, however many; at most `max_tokens` are embedded."""
        return self._tokenizer.count(_valid(text))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 vectors, one row per text (n × dims), each of length 1; an empty text has one too."""
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts, not a single string")
        vectors = np.empty((len(texts), self.dims), dtype=np.float32)
        ids = self._tokenizer.encode([_valid(t) for t in texts])
        for batch in plan_batches([len(i) for i in ids], max_batch=self._max_batch):
            input_ids, mask = pad([ids[i] for i in batch])
            vectors[batch] = self._session.run([OUTPUT], {"input_ids": input_ids, "attention_mask": mask})[0]
        return vectors


def open_embedder(
    data_dir: Path, threads: int = 0, quantization: Quantization = DEFAULT_QUANTIZATION, model: str = DEFAULT_MODEL
) -> Embedder:
    """Load the installed `model` (building its graph first, once per model: seconds); blocking.

    Call it once, lazily, on a worker thread, and keep the result. Raises ModelMissing, naming the
    command that fixes it, when the model is not installed, damaged, or cannot be loaded.
    """
    installed = require_model(data_dir, model, "embeddings")
    folder = installed.directory(data_dir)
    source = _fingerprint(installed)
    try:
        shape = read_shape(folder)
        tokenizer = TextTokenizer(folder / "tokenizer.json", shape.max_length)
        session = _session_or_rebuild(folder, source, quantization, embed_thread_count(threads))
    except Exception as exc:  # any library's failure to read the files means the same: reinstall
        raise ModelMissing(
            f"the embedding model {model!r} cannot be loaded ({type(exc).__name__}: {exc}): "
            f"run `atom models install {model} --force`"
        ) from exc
    return Embedder(tokenizer, session, shape.hidden, f"{model}:{source[:12]}:{quantization}", quantization)


def _session_or_rebuild(folder: Path, source: str, quantization: Quantization, threads: int) -> ort.InferenceSession:
    """A graph that onnxruntime cannot read (a damaged file, an older Atom's) is built once more."""
    graph = ensure_graph(folder, source, quantization)
    try:
        return _session(graph, threads)
    except Exception:  # onnxruntime's errors share no base class but Exception
        return _session(ensure_graph(folder, source, quantization, force=True), threads)


def _session(graph: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only: its warnings are about the graph, not the household
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # cores are shared with the LLM
    # onnxruntime's fused SkipLayerNormalization measured 8x slower than the LayerNormalization it
    # replaces in the int8 graph (a fifth of all the time at 160 tokens), so it is left unfused
    return ort.InferenceSession(
        str(graph), options, providers=["CPUExecutionProvider"], disabled_optimizers=_SLOWER_FUSIONS
    )


def _fingerprint(installed: InstalledModel) -> str:
    """The sha256 of the source files' sha256s, as the registry verified them."""
    hashes = {f.path: f.sha256 for f in installed.files}
    missing = [name for name in _SOURCES if name not in hashes]
    if missing:
        raise ModelMissing(
            f"the model {installed.name!r} has no {', '.join(missing)}: it is not a sentence-transformers folder"
        )
    return hashlib.sha256(" ".join(hashes[name] for name in _SOURCES).encode()).hexdigest()


def _valid(text: str) -> str:
    """Lone surrogates (which JSON can carry) make the tokenizer refuse the text; replace them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
