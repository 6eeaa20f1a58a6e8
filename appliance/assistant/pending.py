"""Actions waiting for a yes: what a tool that sends, deletes or spends asked to confirm.

One per member, whichever conversation or device asked (a "yes" said to the kitchen satellite
answers the question the kitchen satellite asked); kept in the server's memory for a short
while: a restart or a few minutes' silence forgets it, which is the safe way round.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

__all__ = ["PendingAction", "PendingActions"]

_TTL_SECONDS = 300.0


class PendingAction(msgspec.Struct, frozen=True, kw_only=True):
    tool: str
    arguments: dict[str, Any]
    asked_at: float


class PendingActions:
    def __init__(self, ttl: float = _TTL_SECONDS) -> None:
        self._ttl = ttl
        self._waiting: dict[str, PendingAction] = {}

    def ask(self, user_id: str, tool: str, arguments: dict[str, Any]) -> None:
        self._waiting[user_id] = PendingAction(tool=tool, arguments=arguments, asked_at=time.monotonic())

    def take(self, user_id: str) -> PendingAction | None:
        """The action waiting for this member (removed: a yes or a no settles it), or None."""
        found = self._waiting.pop(user_id, None)
        if found is None or time.monotonic() - found.asked_at > self._ttl:
            return None
        return found

    def waiting(self, user_id: str) -> bool:
        found = self._waiting.get(user_id)
        return found is not None and time.monotonic() - found.asked_at <= self._ttl
