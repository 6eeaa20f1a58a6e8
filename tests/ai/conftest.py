"""Shared fixtures for the AI tests: async tests on asyncio, a retry clock that does not sleep, and
Atom over real HTTP on its own port, with its admin, for the modules that attack it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import msgspec
import pytest
from litestar.testing import TestClient

from appliance.ai.providers._http import RetryPolicy
from appliance.runtime import Runtime
from appliance.server import create_app
from appliance.settings import Settings
from tests.ai.helpers import FakeSleep
from tests.processes import held_port, serving_in_thread


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


def on_a_free_port(settings: Settings, **ai: object) -> Settings:
    """`settings` whose `server.port` is held for `atom` to serve on (Atom's real own port)."""
    server = msgspec.structs.replace(settings.server, port=held_port())
    return msgspec.structs.replace(settings, server=server, ai=msgspec.structs.replace(settings.ai, **ai))


@pytest.fixture
def atom(runtime_fast_retries: Runtime) -> Iterator[str]:
    """The app over real HTTP on its `server.port` (a module using this gives `settings` a free one)."""
    port = runtime_fast_retries.settings.server.port
    with serving_in_thread(create_app(runtime_fast_retries, close_runtime=False), port) as url:
        yield url


def with_token(atom: str, client: TestClient) -> httpx.Client:
    """An HTTP client to Atom holding `client`'s member's personal API token."""
    token = client.post("/api/tokens", json={"name": "over-http"}).json()["secret"]
    return httpx.Client(base_url=atom, headers={"Authorization": f"Bearer {token}"}, timeout=60)


@pytest.fixture
def admin_http(ai_admin: TestClient, atom: str) -> Iterator[httpx.Client]:
    """The household's admin, over real HTTP."""
    with with_token(atom, ai_admin) as http:
        yield http
