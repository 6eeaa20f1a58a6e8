"""The first pass of search by meaning: sqlite-vec's sign bits, scanned in numpy.

sqlite-vec keeps every passage's sign bits (`chunks_vec`, bit[384]), but its PyPI wheel scans
them without SIMD: about 57 ms over 100k passages on the 2-core machine. The same Hamming
distances over the same bits, held as six uint64 columns and counted with `np.bitwise_count`,
take about 1 ms. So sqlite-vec stays the store and this is a copy of it in memory (80 bytes a
passage: bits, id, and the columns searches filter on), read from it when first needed.

The copy follows sqlite-vec through `vector_log`, which triggers fill in the same transaction as
every change to the vectors. Each search first applies what was committed since (in one read
transaction, so it sees a change whole or not at all), then scans: a deleted passage is gone
before the scan, a rolled-back one never arrives. Filters (visibility first) are a mask applied
before the nearest are chosen, so a member's results are never crowded out by others'.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appliance.knowledge.index import queries
from appliance.knowledge.index.sqlite import Connection
from appliance.knowledge.records import HOUSEHOLD, SearchQuery

__all__ = ["SignBits"]

_WORDS = 6  # 384 bits in uint64 words
_RELOAD_SHARE = 0.2  # more changes than this share of the passages: read everything again
_FAR = np.uint16(65535)  # the distance of a passage the query may not see


@dataclass(frozen=True)
class _Snapshot:
    """Passages as of log position `seq`; arrays are never changed, only replaced."""

    seq: int
    ids: np.ndarray  # int64
    bits: np.ndarray  # uint64, words × passages (one contiguous row per word: the fastest scan)
    audience: np.ndarray  # int32 codes
    kind: np.ndarray
    source: np.ndarray
    updated_at: np.ndarray  # int64 unix seconds
    owner: np.ndarray  # int32 codes


class SignBits:
    """One per index; thread-safe. `nearest` runs on a reader connection."""

    def __init__(self, dims: int) -> None:
        if dims != _WORDS * 64:
            raise ValueError(f"the sign-bit scan is built for {_WORDS * 64} dimensions, not {dims}")
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        self._codes: dict[str, int] = {}

    def nearest(self, conn: Connection, vector: np.ndarray, viewer: str, query: SearchQuery, k: int) -> list[int]:
        """Ids of the `k` passages nearest `vector` by Hamming distance of sign bits that `viewer` may see."""
        snap = self._current(conn)
        distances = np.where(self._mask(snap, viewer, query), self._hamming(snap, vector), _FAR)
        if len(distances) > k:
            chosen = np.argpartition(distances, k)[:k]
            distances, ids = distances[chosen], snap.ids[chosen]
        else:
            ids = snap.ids
        order = np.argsort(distances, kind="stable")
        return [int(i) for i, d in zip(ids[order], distances[order], strict=True) if d != _FAR]

    def refresh(self, conn: Connection) -> int:
        """Catch up with sqlite-vec (reading it all the first time); how many passages are held."""
        return len(self._current(conn).ids)

    def _hamming(self, snap: _Snapshot, vector: np.ndarray) -> np.ndarray:
        words = np.packbits(vector > 0, bitorder="little").view(np.uint64)  # sqlite-vec's vec_quantize_binary
        total = np.zeros(len(snap.ids), dtype=np.uint16)
        for row, word in zip(snap.bits, words, strict=True):
            total += np.bitwise_count(row ^ word)
        return total

    def _mask(self, snap: _Snapshot, viewer: str, query: SearchQuery) -> np.ndarray:
        mask = np.isin(snap.audience, self._known([viewer, HOUSEHOLD]))
        if (owner := query.owner_for(viewer)) is not None:
            mask &= np.isin(snap.owner, self._known([owner]))
        if query.types:
            mask &= np.isin(snap.kind, self._known(query.types))
        if query.sources:
            mask &= np.isin(snap.source, self._known(query.sources))
        if query.since is not None:
            mask &= snap.updated_at >= queries.epoch(query.since)
        if query.until is not None:
            mask &= snap.updated_at < queries.epoch(query.until)
        return mask

    def _known(self, names: Iterable[str]) -> list[int]:
        """Codes of the names the index has seen (a name it has not matches nothing)."""
        return [self._codes[n] for n in names if n in self._codes]

    def _current(self, conn: Connection) -> _Snapshot:
        with self._lock:
            conn.execute("BEGIN")  # one snapshot of the log and the vectors
            try:
                self._snapshot = self._follow(conn, self._snapshot)
            finally:
                conn.execute("COMMIT")
            return self._snapshot

    def _follow(self, conn: Connection, snap: _Snapshot | None) -> _Snapshot:
        if snap is None or queries.vector_log_trimmed(conn) > snap.seq:
            return self._load(conn)
        changes = queries.vector_changes(conn, snap.seq)
        if not changes:
            return snap
        if len(changes) > _RELOAD_SHARE * max(len(snap.ids), 1000):
            return self._load(conn)
        last: dict[int, int] = {chunk_id: op for _, chunk_id, op in changes}
        kept = self._without(snap, list(last))
        added = queries.sign_rows(conn, [i for i, op in last.items() if op == queries.STORED])
        return self._join(kept, added, changes[-1][0])

    def _load(self, conn: Connection) -> _Snapshot:
        return self._build(queries.vector_log_position(conn), queries.sign_rows(conn))

    def _build(self, seq: int, rows: list[tuple[Any, ...]]) -> _Snapshot:
        bits = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64).reshape(len(rows), _WORDS)
        return _Snapshot(
            seq=seq,
            ids=np.array([r[0] for r in rows], dtype=np.int64),
            bits=np.ascontiguousarray(bits.T),
            audience=self._encode(r[2] for r in rows),
            kind=self._encode(r[3] for r in rows),
            source=self._encode(r[4] for r in rows),
            updated_at=np.array([r[5] for r in rows], dtype=np.int64),
            owner=self._encode(r[6] for r in rows),
        )

    def _encode(self, names: Iterable[str]) -> np.ndarray:
        codes = self._codes
        return np.array([codes.setdefault(n, len(codes)) for n in names], dtype=np.int32)

    def _without(self, snap: _Snapshot, ids: list[int]) -> _Snapshot:
        keep = ~np.isin(snap.ids, np.array(ids, dtype=np.int64))
        if keep.all():
            return snap
        return _Snapshot(
            seq=snap.seq,
            ids=snap.ids[keep],
            bits=np.ascontiguousarray(snap.bits[:, keep]),
            audience=snap.audience[keep],
            kind=snap.kind[keep],
            source=snap.source[keep],
            updated_at=snap.updated_at[keep],
            owner=snap.owner[keep],
        )

    def _join(self, snap: _Snapshot, rows: list[tuple[Any, ...]], seq: int) -> _Snapshot:
        more = self._build(seq, rows)
        return _Snapshot(
            seq=seq,
            ids=np.concatenate([snap.ids, more.ids]),
            bits=np.concatenate([snap.bits, more.bits], axis=1),
            audience=np.concatenate([snap.audience, more.audience]),
            kind=np.concatenate([snap.kind, more.kind]),
            source=np.concatenate([snap.source, more.source]),
            updated_at=np.concatenate([snap.updated_at, more.updated_at]),
            owner=np.concatenate([snap.owner, more.owner]),
        )
