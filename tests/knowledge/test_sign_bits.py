"""The in-memory sign bits against sqlite-vec itself: the same passages at the same distances, the
same filters, and every committed change followed (deleted gone, updated found by its new vector,
rolled back never seen), in a real index file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from appliance.knowledge.index import queries
from appliance.knowledge.index.sqlite import Connection
from appliance.knowledge.index.store import IndexStore
from appliance.knowledge.records import Indexable, SearchQuery

DIMS = 384
_RNG = np.random.default_rng(3)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IndexStore]:
    store = IndexStore(tmp_path / "index.sqlite3", dims=DIMS)
    yield store
    store.close()


def _unit(n: int) -> np.ndarray:
    m = _RNG.normal(size=(n, DIMS))
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def _record(i: int, owner: str = "ada", shared: bool = True, kind: str = "note", day: int = 1) -> Indexable:
    return Indexable(
        type=kind,
        id=f"r{i}",
        owner_id=owner,
        shared=shared,
        source="test",
        title=f"record {i}",
        text=f"passage {i}",
        updated_at=datetime(2026, 1, day),
    )


def _index(store: IndexStore, record: Indexable, vector: np.ndarray) -> int:
    def write(conn: Connection) -> int:
        queries.replace_record(conn, record, [record.text], "v")
        chunk_id = conn.execute("SELECT max(id) FROM chunks").fetchone()[0]
        queries.store_vectors(conn, [chunk_id], vector[None])
        return int(chunk_id)

    return store.write_sync(write)


def _nearest(store: IndexStore, vector: np.ndarray, viewer: str = "ada", k: int = 10, **filters: object) -> list[int]:
    query = SearchQuery(text="q", **filters)  # type: ignore[arg-type]
    return store.read_sync(store.signs.nearest, vector, viewer, query, k)


def _sqlite_vec_distances(store: IndexStore, vector: np.ndarray, k: int, audiences: list[str]) -> list[float]:
    def scan(conn: Connection) -> list[float]:
        rows = conn.execute(
            "SELECT distance FROM chunks_vec WHERE embedding MATCH vec_quantize_binary(?) AND k = ?"
            f" AND audience IN ({', '.join('?' for _ in audiences)}) ORDER BY distance",
            [vector.tobytes(), k, *audiences],
        ).fetchall()
        return [r[0] for r in rows]

    return store.read_sync(scan)


def _hamming(store: IndexStore, vector: np.ndarray, ids: list[int]) -> list[float]:
    def distances(conn: Connection) -> list[float]:
        return [
            conn.execute(
                "SELECT vec_distance_hamming(embedding, vec_quantize_binary(?)) FROM chunks_vec WHERE id = ?",
                [vector.tobytes(), i],
            ).fetchone()[0]
            for i in ids
        ]

    return store.read_sync(distances)


def test_the_same_nearest_distances_as_sqlite_vecs_own_scan(store: IndexStore) -> None:
    vectors = _unit(300)
    for i, vector in enumerate(vectors):
        _index(store, _record(i, owner="ada" if i % 3 else "robin", shared=i % 2 == 0), vector)
    for query in _unit(5):
        ours = _nearest(store, query, k=25)
        assert len(ours) == 25
        assert _hamming(store, query, ours) == _sqlite_vec_distances(store, query, 25, ["ada", "*"])


def test_another_members_private_passages_are_never_candidates(store: IndexStore) -> None:
    vectors = _unit(40)
    private = {_index(store, _record(i, owner="robin", shared=False), v) for i, v in enumerate(vectors[:20])}
    mine = {_index(store, _record(i + 20, owner="ada", shared=False), v) for i, v in enumerate(vectors[20:])}
    found = _nearest(store, vectors[0], k=100)  # robin's passage is the exact match
    assert set(found) == mine
    assert set(_nearest(store, vectors[0], viewer="robin", k=100)) == private
    assert _nearest(store, vectors[0], viewer="eve", k=100) == []


def test_filters_on_type_source_and_date_apply_inside_the_scan(store: IndexStore) -> None:
    vectors = _unit(30)
    made = {
        _index(store, _record(i, kind="task" if i % 2 else "note", day=1 + i % 28), v) for i, v in enumerate(vectors)
    }
    found = _nearest(store, vectors[0], k=100, types=("task",))
    assert set(found) == {cid for n, cid in enumerate(sorted(made)) if n % 2}
    assert _nearest(store, vectors[0], k=100, sources=("nowhere",)) == []
    assert _nearest(store, vectors[0], k=100, types=("unheard_of",)) == []
    since = _nearest(store, vectors[0], k=100, since=datetime(2026, 1, 20))
    assert len(since) == sum(1 for i in range(30) if 1 + i % 28 >= 20)


def test_an_owner_filter_narrows_inside_the_scan_and_never_widens(store: IndexStore) -> None:
    vectors = _unit(30)
    ada_private = {_index(store, _record(i, owner="ada", shared=False), v) for i, v in enumerate(vectors[:10])}
    ada_shared = {_index(store, _record(i + 10, owner="ada"), v) for i, v in enumerate(vectors[10:20])}
    robin_shared = {_index(store, _record(i + 20, owner="robin"), v) for i, v in enumerate(vectors[20:25])}
    robin_private = {_index(store, _record(i + 25, owner="robin", shared=False), v) for i, v in enumerate(vectors[25:])}
    assert set(_nearest(store, vectors[0], k=100, mine_only=True)) == ada_private | ada_shared
    assert set(_nearest(store, vectors[0], k=100, owner="ada")) == ada_private | ada_shared
    assert set(_nearest(store, vectors[0], k=100, owner="robin")) == robin_shared  # never robin's private ones
    assert set(_nearest(store, vectors[0], viewer="robin", k=100, owner="robin")) == robin_shared | robin_private
    assert _nearest(store, vectors[0], k=100, owner="nobody") == []


def test_a_deleted_record_is_gone_and_an_updated_one_found_by_its_new_vector(store: IndexStore) -> None:
    old, new, others = _unit(1)[0], _unit(1)[0], _unit(50)
    for i, v in enumerate(others):
        _index(store, _record(i + 1), v)
    first = _index(store, _record(0), old)
    assert _nearest(store, old, k=1) == [first]  # the copy is read now...
    second = _index(store, _record(0), new)  # ...and follows the update (a new passage replaces the old)
    assert _nearest(store, new, k=1) == [second]
    assert first not in _nearest(store, old, k=100)
    store.write_sync(queries.delete_record, "note", "r0")
    assert second not in _nearest(store, new, k=100)
    store.write_sync(queries.delete_owner, "ada")
    assert _nearest(store, new, k=100) == []


def test_a_rolled_back_write_is_never_seen(store: IndexStore) -> None:
    vector = _unit(1)[0]
    _nearest(store, vector)  # the copy exists before the failed write

    def fails(conn: Connection) -> None:
        queries.replace_record(conn, _record(0), ["text"], "v")
        queries.store_vectors(conn, [conn.execute("SELECT max(id) FROM chunks").fetchone()[0]], vector[None])
        raise RuntimeError("the write fails after storing its vector")

    with pytest.raises(RuntimeError):
        store.write_sync(fails)
    assert _nearest(store, vector) == []


def test_a_copy_behind_a_trimmed_log_reads_everything_again(store: IndexStore) -> None:
    vectors = _unit(12)
    ids = [_index(store, _record(i), v) for i, v in enumerate(vectors[:6])]
    assert _nearest(store, vectors[0], k=1) == [ids[0]]
    ids += [_index(store, _record(i + 6), v) for i, v in enumerate(vectors[6:])]
    store.write_sync(queries.delete_record, "note", "r0")
    store.write_sync(queries.trim_vector_log, 2)  # the changes the copy needs are gone from the log
    assert set(_nearest(store, vectors[0], k=100)) == set(ids[1:])
    assert _nearest(store, vectors[11], k=1) == [ids[11]]


def test_clearing_the_vectors_empties_the_copy_and_new_ones_arrive(store: IndexStore) -> None:
    vectors = _unit(3)
    ids = [_index(store, _record(i), v) for i, v in enumerate(vectors)]
    assert len(_nearest(store, vectors[0])) == 3
    store.write_sync(queries.clear_vectors)
    assert _nearest(store, vectors[0]) == []
    store.write_sync(queries.store_vectors, ids, vectors)  # embedded again under another model
    assert _nearest(store, vectors[2], k=1) == [ids[2]]
