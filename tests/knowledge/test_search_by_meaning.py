"""Search by meaning with the real embedding model and real sqlite-vec: found within seconds of a
write, never making a request wait for an embedding, gone at once after a delete."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in

DESCALE = {"title": "Espresso maker", "body": "Remove limescale every month: run citric acid through the machine."}


def _meaning(client: TestClient, text: str, **params: object) -> list[str]:
    response = client.get("/api/search", params={"q": text, "mode": "vector", **params})
    assert response.status_code == 200, response.text
    return [hit["id"] for hit in response.json()["results"]]


def _found_within(client: TestClient, text: str, wanted: str, seconds: float) -> float:
    started = time.monotonic()
    while wanted not in _meaning(client, text, limit=3):
        assert time.monotonic() - started < seconds, f"not found by meaning within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_note_is_found_by_meaning_within_two_seconds(meaning_admin: TestClient, meaning_runtime: Runtime) -> None:
    meaning_runtime.knowledge.worker.embedder()  # the model loads once, at the first search, not per write
    note = meaning_admin.post("/api/notes", json=DESCALE).json()
    _found_within(meaning_admin, "how do I descale the coffee machine", note["id"], seconds=2.0)
    unrelated = meaning_admin.get("/api/search", params={"q": "when is the dentist", "mode": "vector", "limit": 1})
    assert unrelated.json()["results"][0]["score"] < 0.35  # the nearest is far in meaning


def test_no_request_waits_for_an_embedding(meaning_admin: TestClient, meaning_runtime: Runtime) -> None:
    worker = meaning_runtime.knowledge.worker
    worker.embedder()
    with worker._loading:  # the embedding worker is stuck (a long batch): writes and keyword search go on
        started = time.monotonic()
        note = meaning_admin.post("/api/notes", json=DESCALE).json()
        assert time.monotonic() - started < 1.0
        keyword = meaning_admin.get("/api/search", params={"q": "limescale", "mode": "keyword"}).json()
        assert [h["id"] for h in keyword["results"]] == [note["id"]]
    _found_within(meaning_admin, "descaling the coffee machine", note["id"], seconds=2.0)


def test_an_edit_changes_what_the_note_is_found_by_and_a_delete_is_gone_at_once(meaning_admin: TestClient) -> None:
    note = meaning_admin.post("/api/notes", json=DESCALE).json()
    _found_within(meaning_admin, "descale the coffee machine", note["id"], seconds=5.0)
    meaning_admin.patch(f"/api/notes/{note['id']}", json={"body": "Feed the tomatoes with seaweed fertiliser weekly."})
    _found_within(meaning_admin, "what do I give the tomato plants", note["id"], seconds=5.0)
    assert meaning_admin.delete(f"/api/notes/{note['id']}").status_code == 204
    assert note["id"] not in _meaning(meaning_admin, "what do I give the tomato plants")


def test_hybrid_search_finds_by_meaning_what_keywords_miss(meaning_admin: TestClient) -> None:
    note = meaning_admin.post("/api/notes", json=DESCALE).json()
    meaning_admin.post("/api/notes", json={"title": "Coffee beans", "body": "Buy two bags of coffee beans."})
    _found_within(meaning_admin, "how do I descale it", note["id"], seconds=5.0)
    keyword = meaning_admin.get("/api/search", params={"q": "how do I descale it", "mode": "keyword"}).json()
    assert keyword["results"] == []  # "descale" is in no note...
    hybrid = meaning_admin.get("/api/search", params={"q": "how do I descale it"}).json()
    assert hybrid["meaning"] == "ready"
    assert hybrid["results"][0]["id"] == note["id"]  # ...but its meaning is


def test_meaning_search_keeps_private_notes_private(meaning_admin: TestClient, meaning_runtime: Runtime) -> None:
    add_member(meaning_admin, "robin")
    with second_client(meaning_runtime) as robin:
        sign_in(robin, "robin", "member password")
        secret = robin.post("/api/notes", json={"title": "Gift", "body": "Buying Ada a telescope for her birthday."})
        _found_within(robin, "present for Ada", secret.json()["id"], seconds=5.0)
    assert secret.json()["id"] not in _meaning(meaning_admin, "present for Ada", limit=50)


def test_without_the_model_search_still_works_by_keyword_and_says_why(admin: TestClient) -> None:
    admin.post("/api/notes", json=DESCALE)
    answer = admin.get("/api/search", params={"q": "limescale"}).json()
    assert len(answer["results"]) == 1
    assert "atom models install" in answer["meaning"]


def test_search_says_how_many_records_it_is_still_indexing(
    meaning_admin: TestClient, meaning_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted within what the member may see: another member's private writing is not theirs to know of."""
    worker = meaning_runtime.knowledge.worker
    worker.embedder()
    gate = threading.Event()
    drain = worker._drain
    monkeypatch.setattr(worker, "_drain", lambda: (gate.wait(30), drain()))  # the embedder is busy elsewhere
    add_member(meaning_admin, "robin")
    with second_client(meaning_runtime) as robin:
        sign_in(robin, "robin", "member password")
        note = meaning_admin.post("/api/notes", json=DESCALE).json()
        robin.post("/api/notes", json={"title": "Diary", "body": "Limescale everywhere in the bathroom."})
        robin.post("/api/notes", json={"title": "Kettle", "body": "Descale the kettle.", "shared": True})
        found = meaning_admin.get("/api/search", params={"q": "limescale"}).json()
        assert found["meaning"] == "ready" and found["indexing"] == 2  # Ada's note and the shared one
        assert [h["id"] for h in found["results"]] == [note["id"]]  # found by its words meanwhile
        assert robin.get("/api/search", params={"q": "x"}).json()["indexing"] == 2  # hers; not Ada's private one
        mine = meaning_admin.get("/api/search", params={"q": "x", "mine": "true"}).json()["indexing"]
        assert mine == 1  # "mine": what Ada made, not the note Robin shared
        assert robin.get("/api/search", params={"q": "x", "type": "document"}).json()["indexing"] == 0
        assert meaning_admin.get("/api/search", params={"q": "x", "mode": "keyword"}).json()["indexing"] == 0
        gate.set()
        assert meaning_runtime.knowledge.worker.wait_idle(10)
        started = time.monotonic()
        while meaning_admin.get("/api/search", params={"q": "limescale"}).json()["indexing"]:
            assert time.monotonic() - started < 10, "still indexing after 10 s"
            time.sleep(0.05)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: indexing shares the query model")
def test_indexing_runs_on_every_core_below_requests_priority(
    meaning_admin: TestClient, meaning_runtime: Runtime
) -> None:
    """Queries keep a core free and their priority; the background embedder takes all cores, niced."""
    note = meaning_admin.post("/api/notes", json=DESCALE).json()
    _found_within(meaning_admin, "descaling the coffee machine", note["id"], seconds=10.0)
    worker, cores = meaning_runtime.knowledge.worker, len(os.sched_getaffinity(0))
    query, indexer = worker.embedder(), worker._bulk
    assert query is not None and indexer is not None and indexer is not query
    assert (query.threads, indexer.threads) == (cores - 1, cores)
    assert worker._thread.native_id is not None
    indexing_nice = os.getpriority(os.PRIO_PROCESS, worker._thread.native_id)
    assert indexing_nice > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    texts = [DESCALE["body"], "The boiler service is booked for Tuesday."]
    assert np.min(np.sum(query.embed(texts) * indexer.embed(texts), axis=1)) > 0.9999  # the same vectors
