"""All of the index's SQL: writing records' passages and vectors, and the two searches.

Visibility is part of every search query (`audience IN (viewer, '*')`), never a filter applied
to results afterwards, so a limit never hides what a member may see behind what they may not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from appliance.knowledge.index.sqlite import Connection
from appliance.knowledge.records import HOUSEHOLD, Indexable, SearchQuery

__all__ = [
    "ChunkRow",
    "replace_record",
    "delete_record",
    "delete_owner",
    "pending_chunks",
    "store_vectors",
    "keyword_chunks",
    "chunk_details",
    "rescore_rows",
    "sign_rows",
    "vector_changes",
    "vector_log_position",
    "vector_log_trimmed",
    "trim_vector_log",
    "STORED",
    "epoch",
    "indexed_versions",
    "count_pending",
    "pending_records",
    "meta",
    "set_meta",
    "clear_vectors",
    "clear_all",
]

ChunkRow = tuple[int, str, str]  # (chunk id, title, body)
STORED, DELETED = 1, 0  # vector_log.op
_TRIMMED = "vector_log_trimmed"  # index_meta: the log's rows up to this seq are gone
_IN_BATCH = 500  # ids per IN (...), well under SQLite's limit on parameters


def replace_record(conn: Connection, record: Indexable, passages: Sequence[str], version: str) -> None:
    delete_record(conn, record.type, record.id)
    stamp = epoch(record.updated_at)
    for seq, body in enumerate(passages):
        cursor = conn.execute(
            "INSERT INTO chunks (record_type, record_id, owner_id, audience, source, title, seq, body,"
            " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.type,
                record.id,
                record.owner_id,
                record.audience,
                record.source,
                record.title,
                seq,
                body,
                stamp,
                version,
            ],
        )
        conn.execute(
            "INSERT INTO chunks_fts (rowid, title, body) VALUES (?, ?, ?)", [cursor.lastrowid, record.title, body]
        )


def delete_record(conn: Connection, record_type: str, record_id: str) -> int:
    ids = _ids(conn, "SELECT id FROM chunks WHERE record_type = ? AND record_id = ?", [record_type, record_id])
    _delete_chunks(conn, ids)
    return len(ids)


def delete_owner(conn: Connection, owner_id: str) -> int:
    ids = _ids(conn, "SELECT id FROM chunks WHERE owner_id = ?", [owner_id])
    _delete_chunks(conn, ids)
    return len(ids)


def pending_chunks(conn: Connection, limit: int) -> list[ChunkRow]:
    return conn.execute("SELECT id, title, body FROM chunks WHERE embedded = 0 ORDER BY id LIMIT ?", [limit]).fetchall()


def count_pending(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM chunks WHERE embedded = 0").fetchone()[0])


def pending_records(conn: Connection, viewer: str, query: SearchQuery) -> int:
    """Records the viewer may see, within the query's filters, with passages not embedded yet."""
    where, params = _filters("c", viewer, query)
    sql = f"SELECT count(DISTINCT c.record_type || ':' || c.record_id) FROM chunks c WHERE c.embedded = 0 AND {where}"
    return int(conn.execute(sql, params).fetchone()[0])


def store_vectors(conn: Connection, ids: Sequence[int], vectors: np.ndarray) -> int:
    """Store vectors for the chunks that still exist (one may have been replaced meanwhile)."""
    stored = 0
    for chunk_id, vector in zip(ids, vectors, strict=True):
        row = conn.execute(
            "SELECT audience, record_type, source, updated_at FROM chunks WHERE id = ? AND embedded = 0", [chunk_id]
        ).fetchone()
        if row is None:
            continue
        blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
        conn.execute(
            "INSERT INTO chunks_vec (id, embedding, audience, record_type, source, updated_at)"
            " VALUES (?, vec_quantize_binary(?), ?, ?, ?, ?)",
            [chunk_id, blob, *row],
        )
        conn.execute("INSERT INTO chunk_vectors (id, vector) VALUES (?, ?)", [chunk_id, blob])
        conn.execute("UPDATE chunks SET embedded = 1 WHERE id = ?", [chunk_id])
        stored += 1
    return stored


def keyword_chunks(conn: Connection, match: str, viewer: str, query: SearchQuery, limit: int) -> list[tuple[Any, ...]]:
    """(chunk id, record type, record id, snippet) best first by BM25 (titles weigh double)."""
    where, params = _filters("c", viewer, query)
    return conn.execute(
        "SELECT c.id, c.record_type, c.record_id,"
        " snippet(chunks_fts, 1, char(2), char(3), '…', 24)"
        " FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid"
        f" WHERE chunks_fts MATCH ? AND {where}"
        " ORDER BY bm25(chunks_fts, 2.0, 1.0) LIMIT ?",
        [match, *params, limit],
    ).fetchall()


def rescore_rows(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str, str, bytes]]:
    """(chunk id, record type, record id, float32 vector) of those of `ids` that still exist."""
    return conn.execute(
        "SELECT v.id, c.record_type, c.record_id, v.vector FROM chunk_vectors v JOIN chunks c ON c.id = v.id"
        f" WHERE v.id IN ({_marks(ids)})",
        list(ids),
    ).fetchall()


def sign_rows(conn: Connection, ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """(id, sign bits, audience, record type, source, updated_at, owner) from sqlite-vec (the owner from
    its passage): all, or those of `ids`."""
    sql = (
        "SELECT v.id, v.embedding, v.audience, v.record_type, v.source, v.updated_at, c.owner_id"
        " FROM chunks_vec v JOIN chunks c ON c.id = v.id"
    )
    if ids is None:
        return conn.execute(sql).fetchall()
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), _IN_BATCH):
        part = list(ids[start : start + _IN_BATCH])
        rows += conn.execute(f"{sql} WHERE v.id IN ({_marks(part)})", part).fetchall()
    return rows


def vector_changes(conn: Connection, after: int) -> list[tuple[int, int, int]]:
    """(seq, chunk id, STORED or DELETED) of the vectors' changes since log position `after`, in order."""
    return conn.execute("SELECT seq, id, op FROM vector_log WHERE seq > ? ORDER BY seq", [after]).fetchall()


def vector_log_position(conn: Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(seq), 0) FROM vector_log").fetchone()[0])


def vector_log_trimmed(conn: Connection) -> int:
    return int(meta(conn, _TRIMMED) or 0)


def trim_vector_log(conn: Connection, keep: int) -> None:
    """Forget all but the last `keep` changes; a copy further behind reads everything again."""
    cut = vector_log_position(conn) - keep
    if cut > vector_log_trimmed(conn):
        conn.execute("DELETE FROM vector_log WHERE seq <= ?", [cut])
        set_meta(conn, _TRIMMED, str(cut))


def chunk_details(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """chunk id → (record type, record id, title, body, source, audience, updated_at)."""
    rows = conn.execute(
        "SELECT id, record_type, record_id, title, body, source, audience, updated_at"
        f" FROM chunks WHERE id IN ({_marks(ids)})",
        list(ids),
    ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def indexed_versions(conn: Connection) -> dict[tuple[str, str], str]:
    rows = conn.execute("SELECT DISTINCT record_type, record_id, version FROM chunks").fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM index_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO index_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
        [key, value, value],
    )


def clear_vectors(conn: Connection) -> None:
    """Forget every vector (another embedding model): all passages wait to be embedded again."""
    conn.execute("DELETE FROM chunks_vec")
    conn.execute("DELETE FROM chunk_vectors")
    conn.execute("UPDATE chunks SET embedded = 0")


def clear_all(conn: Connection) -> None:
    for table in ("chunks_vec", "chunk_vectors", "chunks_fts", "chunks"):
        conn.execute(f"DELETE FROM {table}")


def _filters(alias: str, viewer: str, query: SearchQuery) -> tuple[str, list[Any]]:
    col = f"{alias}." if alias else ""
    clauses = [f"{col}audience IN (?, ?)"]  # visibility first: an owner filter only narrows it
    params: list[Any] = [viewer, HOUSEHOLD]
    if (owner := query.owner_for(viewer)) is not None:
        clauses.append(f"{col}owner_id = ?")
        params.append(owner)
    if query.types:
        clauses.append(f"{col}record_type IN ({_marks(query.types)})")
        params += list(query.types)
    if query.sources:
        clauses.append(f"{col}source IN ({_marks(query.sources)})")
        params += list(query.sources)
    if query.since is not None:
        clauses.append(f"{col}updated_at >= ?")
        params.append(epoch(query.since))
    if query.until is not None:
        clauses.append(f"{col}updated_at < ?")
        params.append(epoch(query.until))
    return " AND ".join(clauses), params


def _delete_chunks(conn: Connection, ids: list[int]) -> None:
    if not ids:
        return
    marks, params = _marks(ids), list(ids)
    for table in ("chunks_vec", "chunk_vectors", "chunks_fts"):
        conn.execute(f"DELETE FROM {table} WHERE {'rowid' if table == 'chunks_fts' else 'id'} IN ({marks})", params)
    conn.execute(f"DELETE FROM chunks WHERE id IN ({marks})", params)


def _ids(conn: Connection, sql: str, params: list[Any]) -> list[int]:
    return [r[0] for r in conn.execute(sql, params).fetchall()]


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def epoch(moment: datetime) -> int:
    return int(moment.timestamp()) if moment.tzinfo else int((moment - datetime(1970, 1, 1)).total_seconds())
