"""Knowledge: the household's notes, documents and records, found by meaning and by keyword.

Capabilities index their records through `Knowledge.index` / `forget` (see knowledge.py) and
register a source for rebuilds (sources.py). Search and ask are in search/ask functions below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from appliance.knowledge.documents.library import document_records, remove_orphan_files
from appliance.knowledge.index.meaning import Embedder
from appliance.knowledge.index.store import IndexStore
from appliance.knowledge.knowledge import Knowledge
from appliance.knowledge.notes import note_records
from appliance.knowledge.records import HOUSEHOLD, Indexable, SearchHit, SearchQuery, SearchResults
from appliance.knowledge.sources import IndexReport, check_index, register_source, reindex
from appliance.settings import Settings
from appliance.storage import Database

__all__ = [
    "HOUSEHOLD",
    "EMBEDDING_MODEL",
    "IndexReport",
    "Indexable",
    "Knowledge",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "check_index",
    "forget_member",
    "open_knowledge",
    "register_source",
    "reindex",
]

EMBEDDING_MODEL = "minilm-l6-v2"
EMBEDDING_DIMS = 384

register_source("note", note_records)
register_source("document", document_records)


async def forget_member(db: Database, knowledge: Knowledge, data_dir: Path, user_id: str) -> None:
    """After a member's rows are erased: their index passages, and the files of their documents."""
    await knowledge.forget_owner(user_id)
    await remove_orphan_files(db, data_dir)


def open_knowledge(settings: Settings) -> Knowledge:
    """The index in the data folder; the embedding model loads on first use, on a worker thread.

    Queries use `knowledge.embed_threads` threads (by default a core stays free for requests);
    by default, indexing runs on every core at background priority (a second session of the
    same graph, made on the indexing thread), so a burst of writes is embedded twice as fast on
    two cores while requests still come first.
    """
    store = IndexStore(settings.knowledge_index_path, dims=EMBEDDING_DIMS)
    data_dir, chosen = settings.data_dir, settings.knowledge

    def loader(threads: int) -> Callable[[], Embedder]:
        def load() -> Embedder:
            from appliance.knowledge.embeddings import open_embedder

            return open_embedder(data_dir, threads, chosen.embed_quantization, EMBEDDING_MODEL)

        return load

    cores = _usable_cores()
    bulk = loader(cores) if chosen.embed_threads == 0 and cores > 1 else None
    return Knowledge(store, loader(chosen.embed_threads), f"{EMBEDDING_MODEL}/{chosen.embed_quantization}", bulk)


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
