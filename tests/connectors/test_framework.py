"""The framework's parts on their own: budgets, manifests that must be complete, the operator's
address override (and nothing else reaching loopback), the worker's job, erasure with the member."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import TestClient

from appliance.connectors.budget import Budgets
from appliance.connectors.hub import base_urls
from appliance.connectors.manifest import ConnectorManifest, RateLimit
from appliance.errors import ConfigError, ServiceBusy
from appliance.runtime import Runtime
from tests.connectors.test_todoist import connect_todoist
from tests.fakes.todoist_api import FakeTodoist


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_connection_that_spends_its_budget_waits_for_the_window() -> None:
    clock = Clock()
    budgets = Budgets(clock)
    limit = RateLimit(requests=3, per_seconds=60)
    for _ in range(3):
        budgets.take("a", limit)
    budgets.take("b", limit)  # another connection has its own
    with pytest.raises(ServiceBusy) as busy:
        budgets.take("a", limit)
    assert busy.value.retry_after == 60
    clock.now += 60
    budgets.take("a", limit)


def test_a_budget_spent_during_a_sync_stops_it_with_the_wait(
    ada: TestClient, todoist: FakeTodoist, runtime: Runtime
) -> None:
    connection = connect_todoist(ada)
    for _ in range(1000):
        runtime.connectors.budgets.take(connection["id"], RateLimit(requests=1000, per_seconds=900))
    stopped = ada.post(f"/api/connections/{connection['id']}/sync").json()
    assert stopped["state"] == "error" and stopped["retry_at"] and "budget" in stopped["last_error"]
    assert not [r for r in todoist.requests if "items" in (r.body or {}).get("resource_types", "")]


def test_a_manifest_must_name_what_its_sign_in_needs() -> None:
    incomplete = ConnectorManifest(
        name="x",
        title="X",
        sign_in=["device"],
        syncs=[],
        setup=[],
        urls={"api": "https://x"},
        rate_limit=RateLimit(requests=1, per_seconds=1),
    )
    with pytest.raises(ValueError, match="oauth.device_code"):
        incomplete.check()


def test_only_the_operator_replaces_addresses_and_a_bad_one_stops_atom() -> None:
    assert base_urls("github=http://127.0.0.1:9, todoist=https://proxy.lan") == {
        "github": "http://127.0.0.1:9",
        "todoist": "https://proxy.lan",
    }
    with pytest.raises(ConfigError):
        base_urls("github=file:///etc/passwd")


def test_the_worker_syncs_connections_on_a_schedule(runtime: Runtime) -> None:
    assert "connections-sync" in runtime.jobs.names


def test_a_removed_member_takes_their_connections_and_tokens_along(
    ada: TestClient, bob: TestClient, todoist: FakeTodoist, runtime: Runtime
) -> None:
    todoist.add("Bob's errand")
    connection = connect_todoist(bob)
    bob.post(f"/api/connections/{connection['id']}/sync")
    bob_id = bob.get("/api/auth/me").json()["id"]
    assert ada.delete(f"/api/members/{bob_id}").status_code in (200, 204)
    left = runtime.db.read_sync(
        lambda c: [
            c.execute("SELECT count(*) FROM connections").fetchone()[0],
            c.execute("SELECT count(*) FROM connector_items").fetchone()[0],
            c.execute("SELECT count(*) FROM vault_secrets WHERE name LIKE 'connector:%'").fetchone()[0],
        ]
    )
    assert left == [0, 0, 0]


def test_the_scheduled_sync_leaves_a_connection_whose_connector_is_gone_alone(
    ada: TestClient, todoist: FakeTodoist, runtime: Runtime, scheduled_sync: Callable[[], list[dict]]
) -> None:
    todoist.add("Still synced")
    kept = connect_todoist(ada)
    runtime.db.write_sync(
        lambda c: c.execute(
            "INSERT INTO connections (id, owner, connector, state, sign_in, created_at, updated_at)"
            " SELECT 'old', owner, 'retired_service', 'connected', 'token', now(), now() FROM connections LIMIT 1"
        )
    )
    outcomes = scheduled_sync()
    assert [(o["id"], o["state"]) for o in outcomes] == [(kept["id"], "connected")]
    assert [c["connector"] for c in ada.get("/api/connections").json()] == ["todoist"]


def test_signing_in_asks_the_worker_to_sync_at_once(ada: TestClient, todoist: FakeTodoist, runtime: Runtime) -> None:
    before = runtime.jobs.pending_count()
    connect_todoist(ada)
    assert runtime.jobs.pending_count() == before + 1


@pytest.mark.parametrize(
    ("said", "seconds"),
    [("120", 120.0), ("inf", 60.0), ("nan", 60.0), ("-5", 0.0), ("1e12", 86_400.0), ("soon", 60.0), (None, 60.0)],
)
def test_a_services_retry_after_is_read_as_a_usable_wait(said: str | None, seconds: float) -> None:
    from appliance.connectors.http import _retry_after

    assert _retry_after(said) == seconds
