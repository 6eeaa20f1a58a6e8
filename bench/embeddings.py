"""Embeddings: chunks/s at ~64, ~128, ~256 tokens, fp32 and int8, against a plain numpy forward; query latency.

The text is real English prose (the Python reference that ships with Python, `pydoc_data`), cut
into chunks of a given number of word pieces. Throughput is the best of a few runs (other work on
the machine only ever slows a run down); the numpy forward of the same weights is the raw
baseline the ratio is taken against. Quality is the cosine between int8 and fp32 vectors of the
same chunks, and how often both find the same nearest neighbour among them.
"""

from __future__ import annotations

import os
import pydoc_data.topics
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.knowledge.embeddings import QUANTIZATIONS, Embedder, Quantization, embed_thread_count, open_embedder
from tests.knowledge.embeddings_numpy import NumpyBert

MODEL = "minilm-l6-v2"
SIZES = (64, 128, 256)
TOKENS_PER_RUN = 12_288  # chunks per run: this many tokens' worth
RUNS = 3
NUMPY_CHUNKS = 12
QUERY = "when is the boiler service booked?"
QUERY_RUNS = 100


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="atom-bench-embed-") as folder:
        data = Path(folder)
        install_model(data, load_manifest().get(MODEL), model_cache())
        embedders = {q: _timed_open(data, q) for q in QUANTIZATIONS}
        reference = NumpyBert(data / "models" / MODEL)
        corpus = _words()
        print(f"   threads {embed_thread_count(0)} (the default here); load average {os.getloadavg()[0]:.1f}")
        for size in SIZES:
            _throughput(size, _chunks(embedders["fp32"], corpus, size), embedders, reference)
        _all_cores(data, _chunks(embedders["fp32"], corpus, 128))
        _query_latency(embedders, reference)
        _quality(_chunks(embedders["fp32"], corpus, 128), embedders)


def _timed_open(data: Path, quantization: Quantization) -> Embedder:
    started = time.perf_counter()
    open_embedder(data, quantization=quantization)
    built = time.perf_counter() - started
    started = time.perf_counter()
    embedder = open_embedder(data, quantization=quantization)
    loaded = time.perf_counter() - started
    print(f"   {quantization}: graph built in {built:.1f} s (once per model), then loaded in {loaded:.2f} s")
    return embedder


def _throughput(size: int, chunks: list[str], embedders: dict[str, Embedder], reference: NumpyBert) -> None:
    tokens = statistics.mean(embedders["fp32"].count_tokens(c) for c in chunks)
    baseline = _rate(lambda: reference.embed(chunks[:NUMPY_CHUNKS]), NUMPY_CHUNKS, runs=1)
    line = f"   ~{size:3d} tokens ({tokens:.0f} on average): numpy {baseline:6.1f}/s"
    for quantization, embedder in embedders.items():
        rate = _rate(lambda e=embedder: e.embed(chunks), len(chunks))
        line += f"   {quantization} {rate:6.1f}/s ({rate / baseline:4.1f}x)"
    batched = _batched_int8_rate(embedders["int8"], chunks)
    print(f"{line}   [int8 batched by length {batched:6.1f}/s]", flush=True)


def _batched_int8_rate(embedder: Embedder, chunks: list[str]) -> float:
    """int8 in batches of similar length, as fp32 runs: not used, since a vector would then depend on
    its batch mates (activations are quantized per batch); printed to show one text per run costs nothing."""
    embedder._max_batch = 32  # private: the bench measures the road not taken
    try:
        return _rate(lambda: embedder.embed(chunks), len(chunks))
    finally:
        embedder._max_batch = 1


def _all_cores(data: Path, chunks: list[str]) -> None:
    cores = len(os.sched_getaffinity(0))
    for quantization in QUANTIZATIONS:
        embedder = open_embedder(data, threads=cores, quantization=quantization)
        rate = _rate(lambda e=embedder: e.embed(chunks), len(chunks))
        print(f"   ~128 tokens, {quantization} on all {cores} cores: {rate:6.1f}/s")


def _query_latency(embedders: dict[str, Embedder], reference: NumpyBert) -> None:
    line = "   one short query, p50 (p90):"
    for name, embed in [("numpy", reference.embed), *((q, e.embed) for q, e in embedders.items())]:
        embed([QUERY])
        runs = QUERY_RUNS // (10 if name == "numpy" else 1)
        times = sorted(_seconds(lambda f=embed: f([QUERY])) for _ in range(runs))
        line += f"   {name} {_ms(statistics.median(times))} ({_ms(times[int(len(times) * 0.9)])})"
    print(line)


def _quality(chunks: list[str], embedders: dict[str, Embedder]) -> None:
    exact, quantized = embedders["fp32"].embed(chunks), embedders["int8"].embed(chunks)
    cosine = np.sum(exact * quantized, axis=1)
    same = np.mean(_nearest(exact) == _nearest(quantized))
    print(
        f"   int8 against fp32 on {len(chunks)} real chunks: cosine mean {cosine.mean():.4f}, "
        f"min {cosine.min():.4f}; same nearest neighbour {same:.0%}"
    )


def _nearest(vectors: np.ndarray) -> np.ndarray:
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -2.0)
    return similarity.argmax(axis=1)


def _words() -> list[str]:
    return " ".join(pydoc_data.topics.topics.values()).split()


def _chunks(embedder: Embedder, words: list[str], size: int) -> list[str]:
    """Consecutive runs of whole words of about `size` word pieces each (a word's pieces do not
    depend on its neighbours, so the counts add up)."""
    chunks, current, count = [], [], 0
    for word in words:
        current.append(word)
        count += embedder.count_tokens(word)
        if count >= size:
            chunks.append(" ".join(current))
            current, count = [], 0
            if len(chunks) == TOKENS_PER_RUN // size:
                break
    return chunks


def _rate(work: Callable[[], object], items: int, runs: int = RUNS) -> float:
    work()  # warm up
    return items / min(_seconds(work) for _ in range(runs))


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
