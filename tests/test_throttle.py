"""The sign-in throttle: per name and address, a sliding window, and it forgets."""

from __future__ import annotations

import pytest

from appliance.accounts.throttle import LoginThrottle
from appliance.errors import Throttled


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_locks_out_after_the_limit_then_lets_in_after_the_window() -> None:
    clock = Clock()
    throttle = LoginThrottle(attempts=3, window_seconds=60, monotonic=clock)
    for _ in range(3):
        throttle.check("Ada", "10.0.0.2")
        throttle.failed("Ada", "10.0.0.2")
    with pytest.raises(Throttled) as locked:
        throttle.check("ada", "10.0.0.2")  # names are case-insensitive
    assert locked.value.retry_after == 60
    throttle.check("ada", "10.0.0.3")  # another address is not locked out
    clock.now += 61
    throttle.check("ada", "10.0.0.2")


def test_success_clears_and_prune_forgets_the_quiet() -> None:
    clock = Clock()
    throttle = LoginThrottle(attempts=3, window_seconds=60, monotonic=clock)
    throttle.failed("ada", "a")
    throttle.failed("bob", "b")
    throttle.succeeded("ada", "a")
    clock.now += 61
    assert throttle.prune() == 1
    assert throttle.prune() == 0
    for name in ("x", "y"):
        throttle.check(name, "z")  # checking alone stores nothing
    assert throttle.prune() == 0
