"""Embeddings: chunks/s at ~64, ~128, ~256 tokens, fp32 and int8, against a plain numpy forward; query latency.

The text is real English prose (the Python reference that ships with Python, `pydoc_data`), cut
into chunks of a given number of word pieces. Throughput is the best of a few runs (other work on
the machine only ever slows a run down), by the wall clock and per second of CPU time: on a shared
machine the second is what an idle core would give a one-thread run (numpy's BLAS threads count
in its CPU time too). The numpy forward of the same weights is the raw baseline of the ratios.
Quality is the cosine between int8 and fp32 vectors of the same chunks, and how often both find
the same nearest neighbour among them.
"""

from __future__ import annotations

import multiprocessing
import os
import pydoc_data.topics
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.knowledge.embeddings import QUANTIZATIONS, Embedder, Quantization, embed_thread_count, open_embedder
from appliance.knowledge.index.chunking import chunk_text
from tests.knowledge.embeddings_numpy import NumpyBert
from tests.knowledge.retrieval_set import load_corpus

MODEL = "minilm-l6-v2"
SIZES = (64, 128, 256)
TOKENS_PER_RUN = 12_288  # chunks per run: this many tokens' worth
RUNS = 5
NUMPY_CHUNKS = 4
QUERY = "when is the boiler service booked?"
QUERY_RUNS = 100
PASSAGES = 200
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="atom-bench-embed-") as folder:
        data = Path(folder)
        install_model(data, load_manifest().get(MODEL), model_cache())
        embedders = {q: _timed_open(data, q) for q in QUANTIZATIONS}
        corpus = _words()
        chunks = {size: _chunks(embedders["fp32"], corpus, size) for size in SIZES}
        baseline = _numpy_figures(data / "models" / MODEL, chunks)
        print(f"   threads {embed_thread_count(0)} (the default here); load average {os.getloadavg()[0]:.1f}")
        for size in SIZES:
            _throughput(size, chunks[size], embedders, baseline[size])
        _all_cores(data, chunks[128])
        _atom_passages(data)
        _query_latency(embedders, baseline["query"])
        _quality(chunks[128], embedders)


def _numpy_figures(folder: Path, chunks: dict[int, list[str]]) -> dict:
    """The numpy forward's rates (and query times) in a process of its own with one BLAS thread,
    like the one-thread runs it is compared with (a BLAS spinning on a busy core measures nothing)."""
    saved = {name: os.environ.get(name) for name in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)  # the child reads them when it loads numpy
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
            return child.submit(_numpy_in_child, folder, chunks).result()
    finally:
        for name, value in saved.items():
            os.environ.pop(name) if value is None else os.environ.update({name: value})


def _numpy_in_child(folder: Path, chunks: dict[int, list[str]]) -> dict:
    reference = NumpyBert(folder)
    figures: dict = {
        size: _rates(lambda c=texts: reference.embed(c[:NUMPY_CHUNKS]), NUMPY_CHUNKS) for size, texts in chunks.items()
    }
    reference.embed([QUERY])
    figures["query"] = [_seconds(lambda: reference.embed([QUERY])) for _ in range(QUERY_RUNS // 5)]
    return figures


def _timed_open(data: Path, quantization: Quantization) -> Embedder:
    started = time.perf_counter()
    open_embedder(data, quantization=quantization)
    built = time.perf_counter() - started
    started = time.perf_counter()
    embedder = open_embedder(data, quantization=quantization)
    loaded = time.perf_counter() - started
    print(f"   {quantization}: graph built in {built:.1f} s (once per model), then loaded in {loaded:.2f} s")
    return embedder


def _throughput(size: int, chunks: list[str], embedders: dict[str, Embedder], numpy: tuple[float, float]) -> None:
    tokens = statistics.mean(embedders["fp32"].count_tokens(c) for c in chunks)
    rates = {"numpy": numpy}
    for quantization, embedder in embedders.items():
        rates[quantization] = _rates(lambda e=embedder: e.embed(chunks), len(chunks))
    rates["int8 batched"] = _batched_int8_rates(embedders["int8"], chunks)
    for label, column in (("wall clock", 0), ("per CPU second", 1)):
        baseline = rates["numpy"][column]
        line = f"   ~{size:3d} tokens ({tokens:3.0f}), {label:>14}: numpy {baseline:5.1f}/s"
        for name, rate in list(rates.items())[1:]:
            line += f"   {name} {rate[column]:6.1f}/s ({rate[column] / baseline:5.1f}x)"
        print(line, flush=True)


def _batched_int8_rates(embedder: Embedder, chunks: list[str]) -> tuple[float, float]:
    """int8 in batches of similar length, as fp32 runs: not used, since a vector would then depend on
    its batch mates (activations are quantized per batch); printed to show one text per run costs nothing."""
    embedder._max_batch = 32  # private: the bench measures the road not taken
    try:
        return _rates(lambda: embedder.embed(chunks), len(chunks))
    finally:
        embedder._max_batch = 1


def _all_cores(data: Path, chunks: list[str]) -> None:
    cores = len(os.sched_getaffinity(0))
    for quantization in QUANTIZATIONS:
        embedder = open_embedder(data, threads=cores, quantization=quantization)
        wall, _ = _rates(lambda e=embedder: e.embed(chunks), len(chunks))
        print(f"   ~128 tokens, {quantization} on all {cores} cores: {wall:6.1f}/s (wall clock)")


def _atom_passages(data: Path) -> None:
    """Atom's own passages (the retrieval set's documents, cut as the index cuts them), int8, one at
    a time as the indexer runs them: on one thread, and on every core as background indexing runs."""
    passages = [f"{d.title}\n{p}" for d in load_corpus() for p in chunk_text(d.body) or [d.title]][:PASSAGES]
    one = open_embedder(data, threads=1)
    tokens = statistics.mean(one.count_tokens(p) for p in passages)
    cores = len(os.sched_getaffinity(0))
    for threads, embedder in ((1, one), (cores, open_embedder(data, threads=cores))):
        wall, cpu = _rates(lambda e=embedder: e.embed(passages), len(passages))
        print(
            f"   Atom's passages ({tokens:.0f} tokens on average), int8 on {threads} thread(s):"
            f" {wall:6.1f}/s wall clock, {cpu:6.1f}/s per CPU second; load average {os.getloadavg()[0]:.1f}"
        )


def _query_latency(embedders: dict[str, Embedder], numpy: list[float]) -> None:
    line = f"   one short query, p50 (p90):   numpy {_p50_p90(numpy)}"
    for name, embedder in embedders.items():
        embedder.embed([QUERY])
        line += f"   {name} {_p50_p90([_seconds(lambda e=embedder: e.embed([QUERY])) for _ in range(QUERY_RUNS)])}"
    print(line)


def _p50_p90(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"{ordered[len(ordered) // 2] * 1000:.1f} ms ({ordered[int(len(ordered) * 0.9)] * 1000:.1f} ms)"


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


def _rates(work: Callable[[], object], items: int) -> tuple[float, float]:
    """Items per second of wall clock and per second of this process's CPU time, best of RUNS."""
    work()  # warm up
    wall, cpu = [], []
    for _ in range(RUNS):
        started, used = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - used)
    return items / min(wall), items / min(cpu)


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
