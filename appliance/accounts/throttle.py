"""Failed sign-ins: counted per name and address, per address, and per name; kept across restarts.

- A password check is reserved before it runs and counts while in flight (`guard`), so
  twenty parallel guesses cannot all pass the limit before the first failure is recorded.
- A name may fail `attempts` times from one address, an address `address_attempts` times
  whatever names it tries, and a name `name_attempts` times from anywhere (a device that
  changes its address each guess). A success clears only its own name-and-address count:
  signing in to your own account does not wipe the count of the names you guessed.
- Each failure is one row written through the single writer; the throttle reads the recent
  ones at start, so a restart does not lift a lock-out. A mere check writes nothing.

Names are compared in their canonical form (names.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from appliance import clock
from appliance.accounts import queries
from appliance.accounts.names import canonical_username
from appliance.errors import Throttled
from appliance.storage import Database

__all__ = ["LoginThrottle", "address_key"]

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


@dataclass(frozen=True)
class _Attempt:
    name: str  # canonical
    address: str  # address_key()


class LoginThrottle:
    def __init__(
        self,
        db: Database,
        attempts: int,
        window_seconds: int,
        address_attempts: int,
        name_attempts: int,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._db, self._now = db, now
        self._window = timedelta(seconds=window_seconds)
        self._pairs: _Limit[tuple[str, str]] = _Limit(attempts, self._window)
        self._addresses: _Limit[str] = _Limit(address_attempts, self._window)
        self._names: _Limit[str] = _Limit(name_attempts, self._window)
        self._lock = threading.Lock()
        self._writes: set[asyncio.Future[None]] = set()  # background writes, held until done

    def load(self) -> int:
        """Read the failures still inside the window (at start); returns how many."""
        rows = self._db.read_sync(queries.login_failures_since, self._now() - self._window)
        with self._lock:
            for name, address, at, name_cleared in rows:
                self._count(_Attempt(name, address), at, name_cleared)
        return len(rows)

    async def guard(self, username: str, address: str, verify: Callable[[], Awaitable[T | None]]) -> T | None:
        """Run `verify` (a password check) as one reserved attempt; a None result is a failure."""
        attempt = self._reserve(username, address)
        try:
            result = await verify()
        except BaseException:
            self._release(attempt)  # never decided (pool busy, cancelled): neither failure nor success
            raise
        if result is None:
            await asyncio.shield(self._record_failure(attempt, held=True))  # on record even if the client left
        else:
            await self._record_success(attempt)
        return result

    def check(self, username: str, address: str) -> None:
        """Raise Throttled while locked out. Only for checks that finish without awaiting (a code
        compared in memory), so no other request runs between this and `failed`."""
        with self._lock:
            self._raise_if_full(self._attempt(username, address), self._now())

    def failed(self, username: str, address: str) -> None:
        """Count the failure of such a check now; it is written to the database in the background."""
        write = asyncio.ensure_future(self._record_failure(self._attempt(username, address), held=False))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    def prune(self) -> int:
        """Forget keys with no recent failures and none in flight; returns how many."""
        with self._lock:
            now = self._now()
            return self._pairs.prune(now) + self._addresses.prune(now) + self._names.prune(now)

    def _attempt(self, username: str, address: str) -> _Attempt:
        return _Attempt(canonical_username(username), address_key(address))

    def _reserve(self, username: str, address: str) -> _Attempt:
        attempt = self._attempt(username, address)
        with self._lock:
            self._raise_if_full(attempt, self._now())
            for limit, key in self._limits(attempt):
                limit.hold(key)
        return attempt

    def _release(self, attempt: _Attempt) -> None:
        with self._lock:
            for limit, key in self._limits(attempt):
                limit.release(key)

    def _raise_if_full(self, attempt: _Attempt, now: datetime) -> None:
        waits = [wait for limit, key in self._limits(attempt) if (wait := limit.wait(key, now)) is not None]
        if waits:
            raise Throttled(
                "too many failed sign-ins, so even the right password is refused for now", retry_after=max(waits)
            )

    def _record_failure(self, attempt: _Attempt, held: bool) -> Awaitable[None]:
        """Count the failure now (in flight becomes failed under one lock); return its write."""
        at = self._now()
        with self._lock:
            for limit, key in self._limits(attempt) if held else ():
                limit.release(key)
            self._count(attempt, at, name_cleared=False)
        return self._db.write(queries.record_login_failure, attempt.name, attempt.address, at, at - self._window)

    async def _record_success(self, attempt: _Attempt) -> None:
        with self._lock:
            for limit, key in self._limits(attempt):
                limit.release(key)
            had_failures = self._pairs.clear((attempt.name, attempt.address))
        if had_failures:
            await self._db.write(queries.clear_name_failures, attempt.name, attempt.address)

    def _limits(self, attempt: _Attempt) -> list[tuple[_Limit[Any], Hashable]]:
        return [
            (self._pairs, (attempt.name, attempt.address)),
            (self._addresses, attempt.address),
            (self._names, attempt.name),
        ]

    def _count(self, attempt: _Attempt, at: datetime, name_cleared: bool) -> None:
        self._addresses.fail(attempt.address, at)
        self._names.fail(attempt.name, at)
        if not name_cleared:
            self._pairs.fail((attempt.name, attempt.address), at)


def address_key(host: str) -> str:
    """One key per client address; an IPv4 address seen through a dual-stack socket stays itself.

    IPv6 addresses are not grouped by /64: a household's whole LAN is usually one /64, so
    grouping would let one device lock out every other. The per-name limit covers a device
    that hops between addresses.
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


class _Limit(Generic[K]):
    """One limit: failures inside the window plus attempts in flight, per key."""

    def __init__(self, attempts: int, window: timedelta) -> None:
        self._attempts, self._window = attempts, window
        self._failures: dict[K, deque[datetime]] = {}
        self._pending: Counter[K] = Counter()

    def wait(self, key: K, now: datetime) -> int | None:
        """Seconds until `key` may try again, or None if it may now."""
        recent = self._recent(key, now)
        excess = len(recent) + self._pending[key] - self._attempts + 1
        if excess <= 0:
            return None
        if excess > len(recent):  # full of attempts still in flight: they end in moments
            return 1
        return max(1, math.ceil((recent[excess - 1] + self._window - now).total_seconds()))

    def hold(self, key: K) -> None:
        self._pending[key] += 1

    def release(self, key: K) -> None:
        self._pending[key] -= 1
        if self._pending[key] <= 0:
            del self._pending[key]

    def fail(self, key: K, at: datetime) -> None:
        self._failures.setdefault(key, deque()).append(at)

    def clear(self, key: K) -> bool:
        return self._failures.pop(key, None) is not None

    def prune(self, now: datetime) -> int:
        stale = [key for key in self._failures if not self._recent(key, now) and not self._pending[key]]
        for key in stale:
            del self._failures[key]
        return len(stale)

    def _recent(self, key: K, now: datetime) -> deque[datetime]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        horizon = now - self._window
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures
