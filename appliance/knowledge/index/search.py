"""One search: keyword and meaning rankings over passages, fused per record, with snippets."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from appliance.knowledge.index import queries
from appliance.knowledge.index.meaning import READY, EmbeddingWorker
from appliance.knowledge.index.ranking import Key, fuse
from appliance.knowledge.index.store import IndexStore
from appliance.knowledge.index.text import fts_match, fts_snippet_html, has_identifier, highlight
from appliance.knowledge.records import HOUSEHOLD, SearchHit, SearchQuery, SearchResults

__all__ = ["run_search", "Passage", "CANDIDATES", "VECTOR_POOL"]

CANDIDATES = 100  # passages each ranking contributes before fusion
_EXACT_KEYWORD_WEIGHT = 2.0
VECTOR_POOL = 4  # sign-bit candidates per passage kept, re-scored exactly


@dataclass
class _Found:
    """Per record: its best passage in each ranking, and how close its best passage is in meaning."""

    keyword: dict[Key, tuple[int, str]] = field(default_factory=dict)  # key → (chunk id, snippet)
    vector: dict[Key, tuple[int, float]] = field(default_factory=dict)  # key → (chunk id, cosine)


@dataclass(frozen=True)
class Passage:
    """A hit's best passage as plain text, and how close it is in meaning (None: not compared)."""

    title: str
    body: str
    cosine: float | None


async def run_search(
    store: IndexStore, worker: EmbeddingWorker, viewer: str, query: SearchQuery
) -> tuple[SearchResults, list[Passage]]:
    """The results, and beside each its passage (for answering questions from them)."""
    found, meaning, indexing = _Found(), READY, 0
    if query.mode != "vector":
        found.keyword = await _keyword(store, viewer, query)
    if query.mode != "keyword":
        meaning = await _vector(store, worker, viewer, query, found)
        indexing = await store.read(queries.pending_records, viewer, query)
    ranked = _rank(found, query)
    chunk_of = {key: (found.keyword.get(key) or found.vector[key])[0] for key, _ in ranked}
    details = await store.read(queries.chunk_details, list(chunk_of.values())) if chunk_of else {}
    ranked = [(key, score) for key, score in ranked if chunk_of[key] in details]  # deleted meanwhile
    top = ranked[: query.limit]
    hits = [_hit(key, score, details[chunk_of[key]], found, query) for key, score in top]
    passages = [_passage(details[chunk_of[key]], found.vector.get(key)) for key, _ in top]
    facets = {
        "type": dict(Counter(key[0] for key, _ in ranked)),
        "source": dict(Counter(details[chunk_of[key]][4] for key, _ in ranked)),
    }
    return SearchResults(results=hits, facets=facets, meaning=meaning, indexing=indexing), passages


def _passage(detail: tuple[Any, ...], vector: tuple[int, float] | None) -> Passage:
    return Passage(title=detail[2], body=detail[3], cosine=vector[1] if vector else None)


async def _keyword(store: IndexStore, viewer: str, query: SearchQuery) -> dict[Key, tuple[int, str]]:
    match = fts_match(query.text)
    if match is None:
        return {}
    rows = await store.read(queries.keyword_chunks, match, viewer, query, CANDIDATES)
    best: dict[Key, tuple[int, str]] = {}
    for chunk_id, record_type, record_id, snippet in rows:
        best.setdefault((record_type, record_id), (chunk_id, fts_snippet_html(snippet)))
    return best


async def _vector(store: IndexStore, worker: EmbeddingWorker, viewer: str, query: SearchQuery, found: _Found) -> str:
    embedder = await asyncio.to_thread(worker.embedder)
    if embedder is None:
        return worker.status
    vector = (await asyncio.to_thread(embedder.embed, [query.text]))[0]
    candidates = await store.read(store.signs.nearest, vector, viewer, query, CANDIDATES * VECTOR_POOL)
    rows = await store.read(queries.rescore_rows, candidates) if candidates else []
    for cosine, key, chunk_id in _rescored(rows, vector)[:CANDIDATES]:
        found.vector.setdefault(key, (chunk_id, cosine))
    return READY if worker.status == READY else worker.status


def _rescored(rows: list[tuple[int, str, str, bytes]], vector: np.ndarray) -> list[tuple[float, Key, int]]:
    """Candidates by exact cosine with the query, best first (rows of passages deleted meanwhile are absent)."""
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    cosines = matrix @ vector
    scored = [(float(c), (r[1], r[2]), r[0]) for c, r in zip(cosines, rows, strict=True)]
    return sorted(scored, key=lambda item: (-item[0], item[2]))


def _rank(found: _Found, query: SearchQuery) -> list[tuple[Key, float]]:
    if query.mode == "keyword":
        return [(key, 1.0 / (rank + 1)) for rank, key in enumerate(found.keyword)]
    if query.mode == "vector":
        return [(key, cosine) for key, (_, cosine) in found.vector.items()]
    weights = (_EXACT_KEYWORD_WEIGHT, 1.0) if has_identifier(query.text) else (1.0, 1.0)
    return fuse([list(found.keyword), list(found.vector)], weights)


def _hit(key: Key, score: float, detail: tuple[Any, ...], found: _Found, query: SearchQuery) -> SearchHit:
    record_type, record_id, title, body, source, audience, updated_at = detail
    snippet = found.keyword[key][1] if key in found.keyword else highlight(body, query.text)
    return SearchHit(
        id=record_id,
        type=record_type,
        title=title,
        snippet=snippet,
        score=round(score, 6),
        source=source,
        shared=audience == HOUSEHOLD,
        updated_at=datetime.fromtimestamp(updated_at, UTC).replace(tzinfo=None),
    )
