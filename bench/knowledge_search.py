"""Knowledge search latency at 10k and 100k passages: hybrid, keyword, meaning; against sqlite-vec alone and numpy.

The corpus is synthetic (Zipf-distributed words; vectors drawn around topic centres, as sentence
embeddings cluster) so the index can be built at 100k passages in a minute without the embedding
model; the query vector is given, so the figures are the index's own (embedding one query costs
what bench/embeddings.py prints). Recall is the quantized first pass (sign bits, re-scored with
full vectors) against exact cosine search over the same vectors. The first pass is timed alone
too, as Atom runs it (numpy over the sign bits it mirrors from sqlite-vec) and as sqlite-vec's own
scan of the same bits (what Atom ran before), with the ratio of each Atom row to the raw engines.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from appliance.knowledge import Indexable, Knowledge, SearchQuery
from appliance.knowledge.index import queries
from appliance.knowledge.index.search import CANDIDATES, VECTOR_POOL
from appliance.knowledge.index.sqlite import connect
from appliance.knowledge.index.store import IndexStore

DIMS, TOPICS, VOCABULARY, WORDS_PER_PASSAGE = 384, 400, 20_000, 80
SIZES = (10_000, 100_000)
QUERIES = 60
_RNG = np.random.default_rng(7)


class _GivenVectors:
    """The query's vector, looked up instead of embedded (the bench measures the index)."""

    dims = DIMS

    def __init__(self) -> None:
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def _corpus(n: int) -> tuple[list[str], np.ndarray]:
    words = np.array([f"w{i}" for i in range(VOCABULARY)])
    ranks = _RNG.zipf(1.3, size=(n, WORDS_PER_PASSAGE))
    tail = ranks > VOCABULARY  # spread the long tail over the vocabulary (clipping made the "rarest" word common)
    ranks[tail] = _RNG.integers(1, VOCABULARY + 1, int(tail.sum()))
    ranks -= 1
    texts = [" ".join(words[row]) for row in ranks]
    centres = _unit(_RNG.normal(size=(TOPICS, DIMS)))
    vectors = _unit(centres[_RNG.integers(0, TOPICS, n)] + 0.6 * _unit(_RNG.normal(size=(n, DIMS))))
    return texts, vectors.astype(np.float32)


def _unit(m: np.ndarray) -> np.ndarray:
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def _build(folder: Path, texts: list[str], vectors: np.ndarray, embedder: _GivenVectors) -> tuple[Knowledge, float]:
    store = IndexStore(folder / "bench.sqlite3", dims=DIMS)
    store.write_sync(queries.set_meta, "embedding_model", "bench-vectors")
    knowledge = Knowledge(store, lambda: embedder, "bench-vectors")  # type: ignore[arg-type, return-value]
    stamp = datetime(2026, 1, 1)
    started = time.perf_counter()
    batch = 2_000
    for start in range(0, len(texts), batch):
        store.write_sync(_insert_batch, texts[start : start + batch], vectors[start : start + batch], start, stamp)
    return knowledge, len(texts) / (time.perf_counter() - started)


def _insert_batch(
    conn: queries.Connection, texts: list[str], vectors: np.ndarray, offset: int, stamp: datetime
) -> None:
    for i, text in enumerate(texts):
        record = Indexable(
            type="note",
            id=f"r{offset + i}",
            owner_id="u",
            shared=True,
            source="bench",
            title=f"passage {offset + i}",
            text=text,
            updated_at=stamp,
        )
        queries.replace_record(conn, record, [text], "v")
    ids = [r[0] for r in conn.execute("SELECT id FROM chunks WHERE embedded = 0 ORDER BY id").fetchall()]
    queries.store_vectors(conn, ids, vectors)


def _queries(texts: list[str], vectors: np.ndarray, embedder: _GivenVectors) -> list[tuple[str, np.ndarray]]:
    picked = _RNG.choice(len(texts), QUERIES, replace=False)
    out = []
    for n, i in enumerate(picked):
        # two of the passage's rarer words, as people type the words that matter
        rare = sorted(set(texts[i].split()), key=lambda w: -int(w[1:]))[:2]
        text = " ".join(rare) + f" q{n}"
        vector = _unit((vectors[i] + 0.5 * _unit(_RNG.normal(size=(1, DIMS)))[0])[None])[0].astype(np.float32)
        embedder.vectors[text] = vector
        out.append((text, vector))
    return out


def _time(fn, items):  # type: ignore[no-untyped-def]
    """p50 and p95 by the wall clock, and p50 of the process's CPU time (what an idle machine would show)."""
    walls, cpus = [], []
    for item in items:
        started, cpu = time.perf_counter(), time.process_time()
        fn(item)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    ordered = sorted(walls)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1], statistics.median(cpus)


def _search(knowledge: Knowledge, mode: str):  # type: ignore[no-untyped-def]
    loop = asyncio.new_event_loop()

    def run(item: tuple[str, np.ndarray]) -> list[str]:
        results = loop.run_until_complete(knowledge.search("u", SearchQuery(text=item[0], limit=10, mode=mode)))  # type: ignore[arg-type]
        return [hit.id for hit in results.results]

    return run


def _first_pass(knowledge: Knowledge):  # type: ignore[no-untyped-def]
    store = knowledge.store

    def run(item: tuple[str, np.ndarray]) -> list[int]:
        query = SearchQuery(text=item[0])
        return store.read_sync(store.signs.nearest, item[1], "u", query, CANDIDATES * VECTOR_POOL)

    return run


def _sqlite_vec_bits(knowledge: Knowledge):  # type: ignore[no-untyped-def]
    def scan(conn: queries.Connection, vector: np.ndarray) -> list[int]:
        rows = conn.execute(
            "SELECT id FROM chunks_vec WHERE embedding MATCH vec_quantize_binary(?) AND k = ?"
            " AND audience IN (?, ?) ORDER BY distance",
            [vector.tobytes(), CANDIDATES * VECTOR_POOL, "u", "*"],
        )
        return [r[0] for r in rows.fetchall()]

    return lambda item: knowledge.store.read_sync(scan, item[1])


def _sqlite_vec_exact(folder: Path, vectors: np.ndarray):  # type: ignore[no-untyped-def]
    conn = connect(folder / "exact.sqlite3")
    conn.execute(
        f"CREATE VIRTUAL TABLE exact USING vec0(id INTEGER PRIMARY KEY, embedding float[{DIMS}] distance_metric=cosine)"
    )
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO exact (id, embedding) VALUES (?, ?)", ((i, v.tobytes()) for i, v in enumerate(vectors))
    )
    conn.execute("COMMIT")

    def run(item: tuple[str, np.ndarray]) -> list[int]:
        rows = conn.execute(
            "SELECT id FROM exact WHERE embedding MATCH ? AND k = 10 ORDER BY distance", [item[1].tobytes()]
        )
        return [r[0] for r in rows.fetchall()]

    return run


def _numpy_exact(vectors: np.ndarray):  # type: ignore[no-untyped-def]
    def run(item: tuple[str, np.ndarray]) -> list[int]:
        scores = vectors @ item[1]
        top = np.argpartition(-scores, 10)[:10]
        return list(top[np.argsort(-scores[top])])

    return run


def _recall(got: list[list[str]], exact: list[list[int]]) -> float:
    hits = [len({f"r{i}" for i in truth} & set(found)) / len(truth) for found, truth in zip(got, exact, strict=True)]
    return sum(hits) / len(hits)


def _ratios(p50s: dict[str, float]) -> None:
    """Each Atom row's CPU p50 as a multiple of the raw engines' (below 1: faster than them)."""
    engine, numpy_exact = p50s["sqlite-vec alone, float32 exact"], p50s["numpy brute force, float32 exact"]
    for name, p50 in p50s.items():
        if name.startswith("Atom"):
            print(f"     {name:<40} {p50 / engine:5.2f}x sqlite-vec exact, {p50 / numpy_exact:5.2f}x numpy exact")
    bits = p50s["sqlite-vec's own scan of the sign bits"] / p50s["Atom first pass: numpy over sign bits"]
    print(f"     first pass: numpy {bits:.0f}x faster than sqlite-vec's scan of the same bits")


def run() -> None:
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            texts, vectors = _corpus(n)
            embedder = _GivenVectors()
            knowledge, rate = _build(folder, texts, vectors, embedder)
            asked = _queries(texts, vectors, embedder)
            print(f"   {n:>7,} passages: indexed at {rate:,.0f} passages/s (keywords + vectors, embedding excluded)")
            exact = [_numpy_exact(vectors)(q) for q in asked]
            rows = [
                ("Atom hybrid (keywords + meaning, RRF)", _search(knowledge, "hybrid")),
                ("Atom keyword (FTS5 BM25)", _search(knowledge, "keyword")),
                ("Atom meaning (sign bits + re-score)", _search(knowledge, "vector")),
                ("Atom first pass: numpy over sign bits", _first_pass(knowledge)),
                ("sqlite-vec's own scan of the sign bits", _sqlite_vec_bits(knowledge)),
                ("sqlite-vec alone, float32 exact", _sqlite_vec_exact(folder, vectors)),
                ("numpy brute force, float32 exact", _numpy_exact(vectors)),
            ]
            _first_pass(knowledge)(asked[0])  # the copy of the sign bits is read once, as at start-up
            p50s = {}
            for name, fn in rows:
                p50, p95, cpu = _time(fn, asked)
                p50s[name] = cpu
                print(f"     {name:<40} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   CPU p50 {cpu:7.1f} ms")
            _ratios(p50s)
            meaning = [_search(knowledge, "vector")(q) for q in asked]
            print(f"     recall@10 of Atom's meaning search against exact cosine: {_recall(meaning, exact):.3f}")
            knowledge.close()
