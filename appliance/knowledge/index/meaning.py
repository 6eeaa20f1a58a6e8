"""Search by meaning, in the background: passages are embedded in batches, never on a request.

A write makes its passages searchable by keyword at once; this worker then embeds them (in
batches, on its own thread) and stores their vectors, usually within a second or two. Queries are
embedded on demand. Until the model is installed, the worker says why search by meaning is off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

import numpy as np

from appliance.errors import ModelMissing
from appliance.knowledge.index import queries
from appliance.knowledge.index.sqlite import Connection
from appliance.knowledge.index.store import IndexStore
from appliance.system.priority import lower_this_thread

__all__ = ["Embedder", "EmbeddingWorker", "READY"]

log = logging.getLogger(__name__)
READY = "ready"
_BATCH = 32
_RETRY_SECONDS = 30.0
_LOG_KEPT = 10_000  # changes to the vectors kept for the sign bits' copy to follow (index/signs.py)


class Embedder(Protocol):
    dims: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


class EmbeddingWorker:
    """Embeds pending passages until there are none, then waits to be woken."""

    def __init__(
        self,
        store: IndexStore,
        load: Callable[[], Embedder],
        model_name: str,
        load_bulk: Callable[[], Embedder] | None = None,
    ) -> None:
        """`load` gives the model queries use; `load_bulk`, if given, one for indexing on more threads."""
        self._store, self._load, self._model_name = store, load, model_name
        self._load_bulk = load_bulk
        self._embedder: Embedder | None = None
        self._bulk: Embedder | None = None
        self._loading = threading.Lock()
        self.status = "starting"
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="index-embed", daemon=True)

    def wake(self) -> None:
        """Embed what is pending (starting the worker thread the first time)."""
        self._idle.clear()
        self._wake.set()
        if not self._thread.is_alive() and not self._stopping:
            self._thread.start()

    def embedder(self) -> Embedder | None:
        """The loaded model (loading it once, whoever asks first), or None while it cannot be loaded."""
        with self._loading:
            if self._embedder is None:
                try:
                    self._embedder = self._load()
                except ModelMissing as exc:
                    self.status = str(exc)
                    return None
                except Exception as exc:  # noqa: BLE001 - a broken model must not break keyword search
                    log.exception("the embedding model could not be loaded")
                    self.status = f"the embedding model could not be loaded ({type(exc).__name__}): see the log"
                    return None
                self._check_model()
        return self._embedder

    @property
    def unavailable(self) -> bool:
        """True when the model could not be loaded: waiting for vectors is pointless until it is fixed."""
        return self._embedder is None and self.status != "starting"

    def wait_idle(self, timeout: float) -> bool:
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        self._read_sign_bits()
        while not self._stopping:
            self._wake.wait(timeout=_RETRY_SECONDS)
            self._wake.clear()
            try:
                self._drain()
            except Exception:  # noqa: BLE001 - logged; the next write or retry tries again
                log.exception("embedding passages failed")
            if not self._wake.is_set():
                self._idle.set()

    def _read_sign_bits(self) -> None:
        """Now, at start, rather than on the first search (about 0.4 s at 100k passages)."""
        try:
            self._store.read_sync(self._store.signs.refresh)
        except Exception:  # noqa: BLE001 - the first search tries again
            log.exception("reading the sign bits failed")

    def _drain(self) -> None:
        embedder = self.embedder()
        if embedder is None:
            return
        self.status = READY
        indexer = self._indexer(embedder)
        while not self._stopping and (batch := self._store.read_sync(queries.pending_chunks, _BATCH)):
            ids = [row[0] for row in batch]
            vectors = indexer.embed([f"{title}\n{body}" for _, title, body in batch])
            self._store.write_sync(queries.store_vectors, ids, vectors)
        self._store.write_sync(queries.trim_vector_log, _LOG_KEPT)

    def _indexer(self, embedder: Embedder) -> Embedder:
        """The model indexing runs: on every core, below requests' and the chat model's priority.

        This thread lowers itself only now, after the query model is loaded: onnxruntime's threads
        inherit the priority of the thread that makes the session, and queries must keep theirs.
        Without a bulk loader (or if it fails), indexing shares the query model.
        """
        if self._bulk is None and self._load_bulk is not None:
            lower_this_thread()
            try:
                self._bulk = self._load_bulk()
            except Exception:  # noqa: BLE001 - the query model works; index with it
                log.exception("the embedding model for indexing could not be loaded")
                self._load_bulk = None
        return self._bulk or embedder

    def _check_model(self) -> None:
        """Vectors from another model mean nothing to this one: embed everything again."""
        if self._store.read_sync(queries.meta, "embedding_model") != self._model_name:
            self._store.write_sync(_switch_model, self._model_name)


def _switch_model(conn: Connection, name: str) -> None:
    queries.clear_vectors(conn)
    queries.set_meta(conn, "embedding_model", name)
