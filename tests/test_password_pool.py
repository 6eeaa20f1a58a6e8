"""Password hashing runs on its own bounded pool and refuses at once when full."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from appliance.accounts.hashing import PasswordPool, hash_in_pool, verify_in_pool
from appliance.errors import Throttled


def test_a_full_pool_refuses_at_once_and_admits_again_when_work_ends() -> None:
    pool = PasswordPool(workers=1, waiting=1)
    gate = threading.Event()

    def blocked() -> str:
        gate.wait(10)
        return threading.current_thread().name

    async def scenario() -> tuple[list[str], float]:
        held = [asyncio.create_task(pool.run(blocked)) for _ in range(2)]  # one running, one waiting
        await asyncio.sleep(0.05)
        asked = time.monotonic()
        with pytest.raises(Throttled) as full:
            await pool.run(blocked)
        refused_in = time.monotonic() - asked
        assert full.value.retry_after >= 1
        gate.set()
        names = await asyncio.gather(*held)
        names.append(await pool.run(blocked))  # room again
        return names, refused_in

    names, refused_in = asyncio.run(scenario())
    assert refused_in < 0.5  # not after the held work finished (it waits up to 10 s)
    assert all(name.startswith("password") for name in names)  # never the shared default executor


def test_hashes_made_in_the_pool_verify() -> None:
    async def round_trip() -> tuple[bool, bool]:
        stored = await hash_in_pool("a long enough password")
        return await verify_in_pool("a long enough password", stored), await verify_in_pool("wrong", stored)

    assert asyncio.run(round_trip()) == (True, False)
