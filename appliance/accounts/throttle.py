"""Counts failed sign-ins per (user name, address) and locks out past the limit."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

from appliance.errors import Throttled

__all__ = ["LoginThrottle"]


class LoginThrottle:
    def __init__(self, attempts: int, window_seconds: int, monotonic: Callable[[], float] = time.monotonic):
        self._attempts = attempts
        self._window = window_seconds
        self._clock = monotonic
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, username: str, address: str) -> None:
        """Raise Throttled while this name and address are locked out."""
        with self._lock:
            failures = self._failures.get((username.lower(), address))
            if failures is not None and len(self._recent(username.lower(), address)) >= self._attempts:
                wait = math.ceil(failures[0] + self._window - self._clock())
                raise Throttled("too many failed sign-ins; wait and try again", retry_after=max(wait, 1))

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent(username.lower(), address).append(self._clock())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)

    def prune(self) -> int:
        """Forget names and addresses with no recent failures; returns how many were forgotten."""
        with self._lock:
            stale = [key for key in self._failures if not self._recent(*key)]
            for key in stale:
                del self._failures[key]
            return len(stale)

    def _recent(self, username: str, address: str) -> deque[float]:
        failures = self._failures[(username, address)]
        horizon = self._clock() - self._window
        while failures and failures[0] < horizon:
            failures.popleft()
        return failures
