"""Shared fixtures for the AI tests: async tests on asyncio, a retry clock that does not sleep."""

from __future__ import annotations

import pytest

from appliance.ai.providers._http import RetryPolicy
from tests.ai.helpers import FakeSleep


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def retry(sleep: FakeSleep) -> RetryPolicy:
    """Three tries, waits of 0.5 s then 1 s (recorded, not slept); 429s of up to 1 s waited out."""
    return RetryPolicy(attempts=3, first_delay=0.5, max_delay=4.0, short_wait=1.0, sleep=sleep)
