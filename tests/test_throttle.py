"""The sign-in throttle: in-flight attempts count, three limits, canonical names, and it remembers.

Real DuckDB files; only the clock is swapped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from appliance.accounts.throttle import LoginThrottle, address_key
from appliance.errors import Throttled
from appliance.storage import Database, apply_migrations


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 1, 1, 12, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "atom.duckdb")
    apply_migrations(database)
    yield database
    database.close()


def throttle(db: Database, clock: Clock, attempts: int = 3, address: int = 10, name: int = 10) -> LoginThrottle:
    return LoginThrottle(db, attempts, 60, address, name, now=clock)


def fail(limiter: LoginThrottle, name: str, address: str) -> None:
    async def wrong() -> None:
        return None

    assert asyncio.run(limiter.guard(name, address, wrong)) is None


def succeed(limiter: LoginThrottle, name: str, address: str) -> None:
    async def right() -> str:
        return "user"

    assert asyncio.run(limiter.guard(name, address, right)) == "user"


def test_locks_a_name_at_an_address_then_lets_in_after_the_window(db: Database) -> None:
    clock = Clock()
    limiter = throttle(db, clock)
    for _ in range(3):
        fail(limiter, "ada", "10.0.0.2")
        clock.advance(10)
    with pytest.raises(Throttled) as locked:
        limiter.check("ada", "10.0.0.2")
    assert locked.value.retry_after == 30  # the first failure leaves the 60 s window in 30 s
    limiter.check("ada", "10.0.0.3")  # another address is not locked out
    clock.advance(31)
    limiter.check("ada", "10.0.0.2")


def test_parallel_guesses_cannot_all_pass_before_the_first_failure(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=5)

    async def twenty_at_once() -> tuple[int, int]:
        gate = asyncio.Event()
        started = 0

        async def slow_wrong_password() -> None:
            nonlocal started
            started += 1
            await gate.wait()  # every guess is in flight before any is decided
            return None

        guesses = [asyncio.create_task(limiter.guard("ada", "10.0.0.9", slow_wrong_password)) for _ in range(20)]
        await asyncio.sleep(0.05)
        gate.set()
        results = await asyncio.gather(*guesses, return_exceptions=True)
        return started, sum(isinstance(r, Throttled) for r in results)

    started, refused = asyncio.run(twenty_at_once())
    assert started == 5
    assert refused == 15


def test_an_address_guessing_many_names_is_stopped(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=3, address=4)
    for name in ("ada", "bob", "cy", "dee"):
        fail(limiter, name, "10.0.0.7")
    with pytest.raises(Throttled):
        limiter.check("eve", "10.0.0.7")  # a name it never tried
    limiter.check("eve", "10.0.0.8")


def test_a_name_guessed_from_many_addresses_is_stopped(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=3, name=4)
    for host in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"):
        fail(limiter, "ada", host)
    with pytest.raises(Throttled):
        limiter.check("ada", "10.0.0.5")
    limiter.check("bob", "10.0.0.5")


def test_names_are_counted_in_one_canonical_form(db: Database) -> None:
    limiter = throttle(db, Clock())
    for spelling in ("Ada", "ADA ", "\uff41\uff44\uff41"):  # the last is full-width "ａｄａ"
        fail(limiter, spelling, "10.0.0.2")
    with pytest.raises(Throttled):
        limiter.check("ada", "10.0.0.2")


def test_signing_in_to_your_own_account_does_not_wipe_the_address_count(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=3, address=5)
    for name in ("bob", "bob", "cy", "ada"):
        fail(limiter, name, "10.0.0.2")
    succeed(limiter, "ada", "10.0.0.2")  # the guesser's own account
    fail(limiter, "dee", "10.0.0.2")
    with pytest.raises(Throttled):
        limiter.check("eve", "10.0.0.2")  # five failures from this address, success or not


def test_a_success_clears_that_names_count_at_that_address(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=3)
    fail(limiter, "ada", "10.0.0.2")
    fail(limiter, "ada", "10.0.0.2")
    succeed(limiter, "ada", "10.0.0.2")
    fail(limiter, "ada", "10.0.0.2")
    fail(limiter, "ada", "10.0.0.2")
    limiter.check("ada", "10.0.0.2")  # two failures since the success, not four


def test_a_check_that_never_decides_counts_nothing(db: Database) -> None:
    limiter = throttle(db, Clock(), attempts=1)

    async def busy() -> None:
        raise Throttled("busy", retry_after=1)

    for _ in range(3):
        with pytest.raises(Throttled, match="busy"):
            asyncio.run(limiter.guard("ada", "10.0.0.2", busy))
    limiter.check("ada", "10.0.0.2")


def test_lock_outs_are_read_back_by_a_new_throttle(db: Database) -> None:
    clock = Clock()
    first = throttle(db, clock, attempts=3)
    for _ in range(3):
        fail(first, "ada", "10.0.0.2")
    fail(first, "bob", "10.0.0.2")
    succeed(first, "bob", "10.0.0.2")
    second = throttle(db, clock, attempts=3)
    assert second.load() == 4
    with pytest.raises(Throttled):
        second.check("ada", "10.0.0.2")
    second.check("bob", "10.0.0.2")  # its success was recorded too
    clock.advance(61)
    third = throttle(db, clock, attempts=3)
    assert third.load() == 0


def test_the_setup_code_style_check_records_failures_in_the_background(db: Database) -> None:
    clock = Clock()
    limiter = throttle(db, clock, attempts=2)

    async def two_wrong_codes() -> None:
        for _ in range(2):
            limiter.check("setup-code", "10.0.0.2")
            limiter.failed("setup-code", "10.0.0.2")
        with pytest.raises(Throttled):
            limiter.check("setup-code", "10.0.0.2")
        await asyncio.sleep(0.2)  # let the background writes land

    asyncio.run(two_wrong_codes())
    assert db.read_sync(lambda c: c.execute("SELECT count(*) FROM login_failures").fetchone()[0]) == 2


def test_old_rows_are_deleted_as_new_failures_arrive(db: Database) -> None:
    clock = Clock()
    limiter = throttle(db, clock)
    fail(limiter, "ada", "10.0.0.2")
    clock.advance(120)
    fail(limiter, "bob", "10.0.0.2")
    rows = db.read_sync(lambda c: c.execute("SELECT username FROM login_failures").fetchall())
    assert rows == [("bob",)]


def test_prune_forgets_the_quiet_and_a_mere_check_stores_nothing(db: Database) -> None:
    clock = Clock()
    limiter = throttle(db, clock)
    fail(limiter, "ada", "a")
    clock.advance(61)
    assert limiter.prune() == 3  # its name-and-address, address and name counts
    assert limiter.prune() == 0
    for name in ("x", "y"):
        limiter.check(name, "z")
    assert limiter.prune() == 0


def test_addresses_are_keyed_as_one_device_sees_them() -> None:
    assert address_key("::ffff:192.168.1.20") == "192.168.1.20"  # IPv4 through a dual-stack socket
    assert address_key("2001:db8::1") != address_key("2001:db8::2")  # one LAN is one /64: not grouped
    assert address_key("testclient") == "testclient"
