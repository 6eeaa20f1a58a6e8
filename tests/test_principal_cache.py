"""The principal cache: concurrent misses share one load, but never one that predates a write."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.accounts.principal_cache import PrincipalCache
from appliance.accounts.shapes import Principal
from appliance.storage import Database

ADA = Principal(user_id="u1", username="ada", display_name="Ada", role="member", via="token", token_id="t1")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "atom.duckdb")
    yield database
    database.close()


class Loader:
    """A credential lookup that waits until the test lets it answer, and counts its calls."""

    def __init__(self, answer: Principal | None, released: bool = False) -> None:
        self.answer = answer
        self.calls = 0
        self.release = asyncio.Event()
        if released:
            self.release.set()

    async def __call__(self) -> Principal | None:
        self.calls += 1
        await self.release.wait()
        return self.answer


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_concurrent_misses_share_one_load(db: Database) -> None:
    async def scenario() -> None:
        cache, load = PrincipalCache(db), Loader(ADA)
        waiting = [asyncio.create_task(cache.get("token:x", load)) for _ in range(50)]
        await _settle()
        load.release.set()
        assert await asyncio.gather(*waiting) == [ADA] * 50
        assert load.calls == 1
        assert await cache.get("token:x", load) == ADA and load.calls == 1  # and it is remembered

    asyncio.run(scenario())


def test_a_request_after_a_revocation_never_joins_a_load_from_before_it(db: Database) -> None:
    async def scenario() -> None:
        cache, before, after = PrincipalCache(db), Loader(ADA), Loader(None)
        early = asyncio.create_task(cache.get("token:x", before))
        await _settle()
        await db.write(lambda conn: None)  # the revocation: committed, and its caller has heard
        late = asyncio.create_task(cache.get("token:x", after))
        await _settle()
        after.release.set()
        assert await late is None  # its own, fresh lookup: the token is gone
        before.release.set()
        assert await early == ADA  # asked before the revocation returned: the old answer is allowed
        assert after.calls == 1
        assert await cache.get("token:x", Loader(None, released=True)) is None  # the stale answer was not kept

    asyncio.run(scenario())


def test_a_caller_that_hangs_up_does_not_cancel_the_others_load(db: Database) -> None:
    async def scenario() -> None:
        cache, load = PrincipalCache(db), Loader(ADA)
        leaving = asyncio.create_task(cache.get("token:x", load))
        staying = asyncio.create_task(cache.get("token:x", load))
        await _settle()
        leaving.cancel()
        await _settle()
        load.release.set()
        assert await staying == ADA
        assert leaving.cancelled() and load.calls == 1

    asyncio.run(scenario())


def test_a_failed_load_reaches_every_waiter_and_is_not_remembered(db: Database) -> None:
    async def broken() -> Principal | None:
        await asyncio.sleep(0.01)
        raise RuntimeError("database went away")

    async def scenario() -> None:
        cache = PrincipalCache(db)
        results = await asyncio.gather(*(cache.get("token:x", broken) for _ in range(3)), return_exceptions=True)
        assert all(isinstance(r, RuntimeError) for r in results)
        load = Loader(ADA, released=True)
        assert await cache.get("token:x", load) == ADA and load.calls == 1

    asyncio.run(scenario())
