"""A short-lived memo of who a credential belongs to, so hot routes skip a database round trip.

An entry is trusted only while the database has seen no write since it was made
(any sign-out, revocation or disabling is a write), and for a few seconds at most.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from appliance.accounts.models import Principal
from appliance.storage import Database

__all__ = ["PrincipalCache"]


class PrincipalCache:
    def __init__(self, db: Database, ttl_seconds: float = 5.0, max_entries: int = 1024) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[Principal, int, float]] = {}

    async def get(self, key: str, load: Callable[[], Awaitable[Principal | None]]) -> Principal | None:
        entry = self._entries.get(key)
        if entry is not None:
            principal, generation, expires = entry
            if generation == self._db.generation and time.monotonic() < expires:
                return principal
        generation = self._db.generation
        principal = await load()
        if principal is not None and generation == self._db.generation:
            self._remember(key, principal, generation)
        return principal

    def _remember(self, key: str, principal: Principal, generation: int) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (principal, generation, time.monotonic() + self._ttl)
