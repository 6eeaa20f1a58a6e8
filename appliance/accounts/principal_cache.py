"""A short-lived memo of who a credential belongs to, so hot routes skip a database round trip.

An entry is trusted only while the database has seen no write since it was made
(any sign-out, revocation, disabling or password reset is a write, and the write
counts before its caller returns), never past the session's own expiry, and for a
few seconds at most.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from appliance import clock
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
        if entry is not None and self._still_good(*entry):
            return entry[0]
        generation = self._db.generation
        principal = await load()
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
