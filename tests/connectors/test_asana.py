"""Asana end to end over loopback HTTP: a pasted personal access token (tried before it is
kept), open assigned tasks becoming the member's tasks with their link, changes by
`modified_since`, completing in Atom completing in Asana, offsets followed page by page, and
tasks deleted or assigned away at Asana leaving the member's tasks (each read once)."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.connectors.conftest import Sleeps
from tests.connectors.records_helpers import found, sync
from tests.fakes.asana_api import TOKEN, FakeAsana


def connect_asana(client: TestClient, token: str = TOKEN) -> dict:
    answer = client.post("/api/connections", json={"connector": "asana", "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def seed_tasks(asana: FakeAsana, count: int) -> None:
    for n in range(count):
        asana.add(f"Item {n}")


def revoke_asana(asana: FakeAsana) -> None:
    asana.tokens.clear()


def asana_tasks(client: TestClient, status: str = "open") -> list[dict]:
    return [t for t in client.get("/api/tasks", params={"status": status}).json() if t["source"] == "connector"]


def test_a_pasted_token_connects_and_open_assigned_tasks_arrive_with_their_link(
    ada: TestClient, asana: FakeAsana
) -> None:
    task = asana.add("Renew the car insurance", notes="Compare three quotes.", due_on="2026-12-15")
    asana.add("Old and done", completed=True)
    asana.add("Someone else's", assignee="bob")
    connection = connect_asana(ada)
    assert connection["account"] == "ada@example.com"
    assert sync(ada, connection)["state"] == "connected"
    (mine,) = asana_tasks(ada)
    assert mine["title"] == "Renew the car insurance" and mine["due_date"] == "2026-12-15"
    assert mine["notes"].startswith("Compare three quotes.") and task.json()["permalink_url"] in mine["notes"]
    first = [r for r in asana.requests if r.path == "/api/1.0/tasks"][0]
    assert first.query["completed_since"] == "now" and "modified_since" not in first.query


def test_a_token_asana_refuses_is_not_kept(ada: TestClient, asana: FakeAsana) -> None:
    refused = ada.post("/api/connections", json={"connector": "asana", "token": "0/not-a-token"})
    assert refused.status_code == 400 and "did not accept" in refused.json()["detail"]
    assert ada.get("/api/connections").json() == []


def test_changes_by_modified_since_and_completions_go_back(ada: TestClient, asana: FakeAsana) -> None:
    rename, finish, tick = asana.add("Book the vet"), asana.add("Fix the gate"), asana.add("Pay the window cleaner")
    connection = connect_asana(ada)
    sync(ada, connection)
    (paid,) = [t for t in asana_tasks(ada) if t["title"] == "Pay the window cleaner"]
    assert ada.post(f"/api/tasks/{paid['id']}/complete").status_code in (200, 201)
    asana.change(rename, name="Book the vet for Tuesday")
    asana.change(finish, completed=True)
    asana.add("Order firewood")
    sync(ada, connection)
    assert sorted(t["title"] for t in asana_tasks(ada)) == ["Book the vet for Tuesday", "Order firewood"]
    assert sorted(t["title"] for t in asana_tasks(ada, "done")) == ["Fix the gate", "Pay the window cleaner"]
    assert tick.completed is True
    last = [r for r in asana.requests if r.path == "/api/1.0/tasks" and "opt_fields" in r.query][-1]
    assert "modified_since" in last.query and "completed_since" not in last.query


def test_every_page_is_followed_and_an_interrupted_run_resumes_at_its_offset(ada: TestClient, asana: FakeAsana) -> None:
    seed_tasks(asana, 250)
    connection = connect_asana(ada)
    asana.cut_after(2)  # who the member is, then the first page
    assert sync(ada, connection)["state"] == "error"
    asana.cut_after(None)
    assert sync(ada, connection)["items"] == 250
    pages = [r.query.get("offset") for r in asana.requests if r.path == "/api/1.0/tasks"]
    assert pages[0] is None and pages[1] is not None and pages[1] == pages[2]  # the cut page asked again


def _titles(client: TestClient, status: str = "open") -> list[str]:
    return sorted(t["title"] for t in asana_tasks(client, status))


def _reads(asana: FakeAsana) -> list[str]:
    return [
        r.path.rsplit("/", 1)[1] for r in asana.requests if r.method == "GET" and r.path.startswith("/api/1.0/tasks/")
    ]


def test_tasks_deleted_or_assigned_away_at_asana_leave_the_members_tasks(ada: TestClient, asana: FakeAsana) -> None:
    kept = asana.add("Renew the passport")
    gone, handed, dropped = asana.add("Call the roofer"), asana.add("Book the piano tuner"), asana.add("Sort the loft")
    finished = asana.add("Return the library books")
    connection = connect_asana(ada)
    sync(ada, connection)
    assert len(_titles(ada)) == 5 and found(ada, "roofer")

    asana.delete(gone)
    asana.change(handed, assignee="bob")
    asana.change(dropped, assignee=None)
    asana.change(finished, completed=True)  # still hers: `modified_since` brings it, no read needed
    assert sync(ada, connection)["state"] == "connected"
    assert _titles(ada) == ["Renew the passport"]
    assert _titles(ada, "done") == ["Return the library books"]
    assert found(ada, "roofer") == [] and found(ada, "piano") == []
    items = ada.get(f"/api/connections/{connection['id']}/items").json()
    assert sorted(item["remote_id"] for item in items) == sorted([kept.gid, finished.gid])
    assert sorted(_reads(asana)) == sorted([gone.gid, handed.gid, dropped.gid])

    listing = [r.query for r in asana.requests if r.path == "/api/1.0/tasks"][-1]
    assert listing["completed_since"] == "now" and "opt_fields" not in listing  # gids only
    sync(ada, connection)
    assert len(_reads(asana)) == 3  # each read once


def test_a_task_completed_and_then_assigned_away_is_removed(ada: TestClient, asana: FakeAsana) -> None:
    task = asana.add("Paint the hallway")
    connection = connect_asana(ada)
    sync(ada, connection)
    asana.change(task, completed=True, assignee="bob")
    sync(ada, connection)
    assert _titles(ada) == [] and _titles(ada, "done") == []


def test_reads_wait_out_asanas_retry_after(ada: TestClient, asana: FakeAsana, sleeps: Sleeps) -> None:
    tasks = [asana.add(f"Chore {n}") for n in range(3)]
    connection = connect_asana(ada)
    sync(ada, connection)
    for task in tasks:
        asana.change(task, assignee="bob")
    asana.limit_reads(1)
    assert sync(ada, connection)["state"] == "connected"
    assert sleeps.waits == [2.0] and _titles(ada) == []
    assert len(_reads(asana)) == 4  # three tasks, the first asked twice


def test_adas_reconciling_leaves_bobs_tasks_alone(ada: TestClient, bob: TestClient, asana: FakeAsana) -> None:
    task = asana.add("Plan the family holiday")  # a household account both connect
    hers, his = connect_asana(ada), connect_asana(bob)
    sync(ada, hers)
    sync(bob, his)
    asana.delete(task)
    sync(ada, hers)
    assert _titles(ada) == [] and _titles(bob) == ["Plan the family holiday"]
    assert found(bob, "holiday")
    sync(bob, his)
    assert _titles(bob) == []
