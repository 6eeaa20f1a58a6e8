"""The household's memory: the one interface every capability indexes its records through.

    knowledge.index(Indexable(...))   after a record is written (replaces what was indexed)
    knowledge.forget(type, id)        after a record is deleted: gone from results at once
    knowledge.forget_owner(user_id)   when a member is erased
    knowledge.search(viewer, query)   keyword, meaning, or both fused

The index is a rebuildable copy (SQLite: FTS5 for keywords, sqlite-vec for meaning) of records
whose source of truth is the DuckDB database; `sources` lists who can replay them for a rebuild.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable

from appliance.events import EVERYONE, Action, Event, EventBus, Topic
from appliance.knowledge.index import queries
from appliance.knowledge.index.chunking import chunk_text
from appliance.knowledge.index.meaning import Embedder, EmbeddingWorker
from appliance.knowledge.index.search import Passage, run_search
from appliance.knowledge.index.store import IndexStore
from appliance.knowledge.records import Indexable, SearchQuery, SearchResults

__all__ = ["Knowledge", "record_version", "announce"]


class Knowledge:
    def __init__(
        self,
        store: IndexStore,
        load_embedder: Callable[[], Embedder],
        model_name: str,
        load_indexer: Callable[[], Embedder] | None = None,
    ) -> None:
        self.store = store
        self.worker = EmbeddingWorker(store, load_embedder, model_name, load_indexer)

    def resume(self) -> None:
        """Embed whatever a previous run left pending (the server calls this at start-up)."""
        self.worker.wake()

    async def index(self, record: Indexable) -> None:
        """Searchable by keyword when this returns; by meaning once the worker has embedded it."""
        passages = chunk_text(record.text) or [record.title]
        await self.store.write(queries.replace_record, record, passages, record_version(record))
        self.worker.wake()

    async def forget(self, record_type: str, record_id: str) -> None:
        await self.store.write(queries.delete_record, record_type, record_id)

    async def forget_owner(self, owner_id: str) -> int:
        return await self.store.write(queries.delete_owner, owner_id)

    async def search(self, viewer: str, query: SearchQuery) -> SearchResults:
        results, _ = await run_search(self.store, self.worker, viewer, query)
        return results

    async def search_passages(self, viewer: str, query: SearchQuery) -> tuple[SearchResults, list[Passage]]:
        """Results with each one's best passage as plain text and its closeness in meaning."""
        return await run_search(self.store, self.worker, viewer, query)

    async def pending(self) -> int:
        return await self.store.read(queries.count_pending)

    async def wait_until_embedded(self, timeout: float) -> bool:
        """True once every passage has its vector (tests, reindex); False at the deadline or without a model."""
        deadline = time.monotonic() + timeout
        while await self.pending():
            if time.monotonic() > deadline or self.worker.unavailable:
                return False
            self.worker.wake()
            await asyncio.to_thread(self.worker.wait_idle, min(1.0, max(0.0, deadline - time.monotonic())))
        return True

    def close(self) -> None:
        self.worker.stop()
        self.store.close()


def announce(bus: EventBus, topic: Topic, action: Action, item_id: str, owner_id: str, shared: bool) -> None:
    """Tell the pages that may show it; no data in the event: they fetch again as whoever they are."""
    bus.publish(Event(topic=topic, action=action, id=item_id), [EVERYONE] if shared else [owner_id])


def record_version(record: Indexable) -> str:
    """What `check` compares: a record is stale in the index when any of this changed."""
    parts = (record.title, record.text, record.audience, record.source)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
