"""Who can replay their records into the index: the rebuild and the check read them all.

Each capability that indexes records registers one source (its record type and a function that
lists every record as an Indexable). Notes and documents register here; later capabilities call
`register_source` from their own package.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from appliance.knowledge.index import queries
from appliance.knowledge.knowledge import Knowledge, record_version
from appliance.knowledge.records import Indexable
from appliance.storage import Database

__all__ = ["IndexReport", "register_source", "reindex", "check_index", "SOURCES"]

Source = Callable[[Database], Awaitable[list[Indexable]]]
SOURCES: dict[str, Source] = {}


class IndexReport(msgspec.Struct, frozen=True, kw_only=True):
    records: int
    missing: list[str]
    """type:id of records the index lacks"""
    stale: list[str]
    """type:id of records whose indexed text is out of date"""
    orphaned: list[str]
    """type:id the index holds for records that no longer exist"""
    waiting_for_meaning: int
    """passages not embedded yet"""

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def register_source(record_type: str, source: Source) -> None:
    SOURCES[record_type] = source


async def all_records(db: Database) -> list[Indexable]:
    return [record for source in SOURCES.values() for record in await source(db)]


async def reindex(db: Database, knowledge: Knowledge) -> int:
    """Rebuild the whole index from the records; returns how many records were indexed."""
    records = await all_records(db)
    await knowledge.store.write(queries.clear_all)
    for record in records:
        await knowledge.index(record)
    return len(records)


async def check_index(db: Database, knowledge: Knowledge) -> IndexReport:
    expected = {(r.type, r.id): record_version(r) for r in await all_records(db)}
    indexed = await knowledge.store.read(queries.indexed_versions)
    return IndexReport(
        records=len(expected),
        missing=sorted(f"{t}:{i}" for (t, i) in expected.keys() - indexed.keys()),
        stale=sorted(f"{t}:{i}" for (t, i), v in expected.items() if (t, i) in indexed and indexed[(t, i)] != v),
        orphaned=sorted(f"{t}:{i}" for (t, i) in indexed.keys() - expected.keys()),
        waiting_for_meaning=await knowledge.pending(),
    )
