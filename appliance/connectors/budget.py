"""Per-connection request budgets: a sliding window, kept by the server process that runs syncs.

A connection that spends its manifest's `rate_limit` waits for the window to move on, so one
busy member's sync never spends the service's patience for the whole household's app.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from appliance.connectors.manifest import RateLimit
from appliance.errors import ServiceBusy

__all__ = ["Budgets"]


class Budgets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._spent: dict[str, deque[float]] = {}

    def take(self, connection_id: str, limit: RateLimit) -> None:
        """Spend one request; ServiceBusy (with the wait) when the window is full."""
        now = self._clock()
        spent = self._spent.setdefault(connection_id, deque())
        while spent and spent[0] <= now - limit.per_seconds:
            spent.popleft()
        if len(spent) >= limit.requests:
            wait = spent[0] + limit.per_seconds - now
            raise ServiceBusy("this connection has used its request budget for now", retry_after=wait)
        spent.append(now)

    def forget(self, connection_id: str) -> None:
        self._spent.pop(connection_id, None)
