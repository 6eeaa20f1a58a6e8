"""Password hashing off the event loop, on a small bounded pool.

Each scrypt hash takes 32 MiB and most of a core for a moment. Running them on the
shared default executor would let a flood of sign-ins exhaust memory and starve the
threads chat and pages use. So they run here: a few dedicated threads and a short
wait line; when the line is full the caller is told at once to come back shortly
(429 with Retry-After) instead of queueing without end. One pool per process: the
memory it bounds is the process's.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

from appliance.accounts.passwords import hash_password, verify_password
from appliance.errors import Throttled

__all__ = ["PasswordPool", "shared_pool", "hash_in_pool", "verify_in_pool"]

T = TypeVar("T")


class PasswordPool:
    def __init__(self, workers: int, waiting: int) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="password")
        self._capacity = workers + waiting
        self._admitted = 0
        self._lock = threading.Lock()  # the CLI may run its own event loop beside the server's

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` on a pool thread; Throttled at once when the pool and its line are full."""
        self._admit()
        try:
            return await asyncio.wrap_future(self._executor.submit(fn, *args))
        finally:
            with self._lock:
                self._admitted -= 1

    def _admit(self) -> None:
        with self._lock:
            if self._admitted >= self._capacity:
                raise Throttled("Atom is busy checking other passwords; try again in a moment", retry_after=1)
            self._admitted += 1


@cache
def shared_pool() -> PasswordPool:
    """Two hashes at a time at most, and one on a two-core box so a core stays free for the rest."""
    return PasswordPool(workers=max(1, min(2, (os.cpu_count() or 1) - 1)), waiting=4)


async def hash_in_pool(password: str) -> str:
    return await shared_pool().run(hash_password, password)


async def verify_in_pool(password: str, stored: str) -> bool:
    return await shared_pool().run(verify_password, password, stored)
