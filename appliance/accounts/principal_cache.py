"""A short-lived memo of who a credential belongs to, so hot routes skip a database round trip.

An entry is trusted only while the database has seen no write since it was made
(any sign-out, revocation, disabling or password reset is a write, and the write
counts before its caller returns), never past the session's own expiry, and for a
few seconds at most.

When an entry lapses (its few seconds ran out, or any write happened), every request
holding that credential misses at once: under load that was dozens of identical reads
queued on the reader pool, and the last of them set the tail latency. So concurrent
misses share one load, but only one that began at the current write generation: a
request never joins a load that might predate a revocation it could have heard of.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from appliance import clock
from appliance.accounts.shapes import Principal
from appliance.storage import Database

__all__ = ["PrincipalCache"]

Loader = Callable[[], Awaitable[Principal | None]]


class PrincipalCache:
    def __init__(self, db: Database, ttl_seconds: float = 5.0, max_entries: int = 1024) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[Principal, int, float]] = {}
        self._loading: dict[tuple[str, int], asyncio.Task[Principal | None]] = {}

    async def get(self, key: str, load: Loader) -> Principal | None:
        entry = self._entries.get(key)
        if entry is not None and self._still_good(*entry):
            return entry[0]
        generation = self._db.generation
        task = self._loading.get((key, generation))
        if task is None:
            task = asyncio.create_task(self._load(key, generation, load))
            self._loading[(key, generation)] = task
        # Shielded: one caller hanging up must not cancel the load the others wait for.
        return await asyncio.shield(task)

    def remembered(self, key: str) -> Principal | None:
        """A still-trusted entry, without loading one (for read-only lookups that must not fill the memo)."""
        entry = self._entries.get(key)
        return entry[0] if entry is not None and self._still_good(*entry) else None

    async def _load(self, key: str, generation: int, load: Loader) -> Principal | None:
        try:
            principal = await load()
        finally:
            del self._loading[(key, generation)]
        if principal is not None and generation == self._db.generation:
            self._remember(key, principal, generation)
        return principal

    def _still_good(self, principal: Principal, generation: int, expires: float) -> bool:
        if generation != self._db.generation or time.monotonic() >= expires:
            return False
        return principal.expires_at is None or principal.expires_at > clock.now()

    def _remember(self, key: str, principal: Principal, generation: int) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (principal, generation, time.monotonic() + self._ttl)
