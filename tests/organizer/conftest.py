"""The organizer's fixtures: a clock the test moves, and a household with a second member."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from litestar.testing import TestClient

from appliance import clock as atom_clock
from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in
from tests.organizer.hosts import Names, answer_names


class Clock:
    """Atom's `clock.now()` (naive UTC), held still until the test moves it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    pinned = Clock(datetime(2025, 3, 24, 6, 0))  # a Monday, the week Europe changes its clocks
    monkeypatch.setattr(atom_clock, "now", pinned)
    return pinned


@pytest.fixture
def household(clock: Clock, admin: TestClient) -> TestClient:
    """The admin, with the household's zone set to Europe/Berlin (and the clock pinned first)."""
    assert admin.put("/api/organizer/household", json={"timezone": "Europe/Berlin"}).status_code == 200
    return admin


@pytest.fixture
def robin(household: TestClient, runtime: Runtime) -> Iterator[TestClient]:
    """A second, ordinary member, signed in on a client of their own."""
    member = add_member(household, "robin")
    with second_client(runtime) as client:
        sign_in(client, "robin", "member password")
        client.member_id = member["id"]  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> Names:
    """Host names the test gives loopback (or any) addresses: `names["cal.example.test"] = "127.0.0.1"`."""
    return answer_names(monkeypatch)


def keyword(client: TestClient, text: str) -> list[dict]:
    response = client.get("/api/search", params={"q": text, "mode": "keyword"})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def me(client: TestClient) -> str:
    return client.get("/api/auth/me").json()["id"]
