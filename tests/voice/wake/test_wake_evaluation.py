"""The wake bench's intervals: a share's Wilson interval and the exact Poisson bound on events per hour."""

from __future__ import annotations

import math

import pytest

from models.wake.evaluate import poisson_upper, wilson


@pytest.mark.parametrize(("events", "bound"), [(0, 2.996), (1, 4.744), (3, 7.754), (10, 16.96)])
def test_the_poisson_bound_matches_the_tables(events: int, bound: float) -> None:
    assert poisson_upper(events) == pytest.approx(bound, abs=0.01)


def test_six_hours_without_a_false_accept_is_what_shows_half_an_event_an_hour() -> None:
    assert poisson_upper(0) / 6 < 0.5 < poisson_upper(0) / 5.9


def test_the_wilson_interval_stays_in_range_and_holds_the_share() -> None:
    assert wilson(0, 40) == (0.0, pytest.approx(0.0876, abs=1e-3))
    low, high = wilson(8, 10)
    assert low == pytest.approx(0.490, abs=1e-3) and high == pytest.approx(0.943, abs=1e-3)
    assert wilson(40, 40)[1] == 1.0 and not math.isnan(wilson(0, 0)[0])
