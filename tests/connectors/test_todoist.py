"""Todoist end to end over loopback HTTP: a pasted API token (tried before it is kept), tasks
both ways through the Sync API (ticking one off in Atom completes it in Todoist), sync tokens."""

from __future__ import annotations

import time

from litestar.testing import TestClient

from tests.fakes.todoist_api import TOKEN, FakeTodoist


def connect_todoist(client: TestClient, token: str = TOKEN) -> dict:
    answer = client.post("/api/connections", json={"connector": "todoist", "token": token})
    assert answer.status_code == 201, answer.text
    return answer.json()["connection"]


def connector_tasks(client: TestClient, status: str = "open") -> list[dict]:
    return [t for t in client.get("/api/tasks", params={"status": status}).json() if t["source"] == "connector"]


def test_a_pasted_token_connects_and_active_tasks_become_the_members_tasks(
    ada: TestClient, todoist: FakeTodoist
) -> None:
    todoist.add("Buy birthday card", description="For Grandma", due="2026-12-03")
    todoist.add("Already done", checked=True)
    connection = connect_todoist(ada)
    assert connection["state"] == "connected" and connection["account"] == "ada@example.com"
    assert ada.post(f"/api/connections/{connection['id']}/sync").json()["state"] == "connected"
    (task,) = connector_tasks(ada)
    assert task["title"] == "Buy birthday card" and task["due_date"] == "2026-12-03"
    assert task["notes"].startswith("For Grandma") and "https://app.todoist.com/app/task/" in task["notes"]
    first = [r for r in todoist.requests if "items" in (r.body or {}).get("resource_types", "")]
    assert first[0].body["sync_token"] == "*"


def test_a_token_todoist_refuses_is_not_kept(ada: TestClient, todoist: FakeTodoist) -> None:
    refused = ada.post("/api/connections", json={"connector": "todoist", "token": "not-a-token"})
    assert refused.status_code == 400 and "did not accept" in refused.json()["detail"]
    assert ada.get("/api/connections").json() == []


def test_completing_the_task_in_atom_completes_it_in_todoist_at_once(ada: TestClient, todoist: FakeTodoist) -> None:
    item = todoist.add("Water the plants")
    connection = connect_todoist(ada)
    ada.post(f"/api/connections/{connection['id']}/sync")
    (task,) = connector_tasks(ada)
    assert ada.post(f"/api/tasks/{task['id']}/complete").status_code == 200
    deadline = time.monotonic() + 10  # at once, in the background: no Sync now, no scheduled round
    while not todoist.store.items[item.id].checked and time.monotonic() < deadline:
        time.sleep(0.05)
    assert todoist.store.items[item.id].checked is True
    closes = [r for r in todoist.requests if "item_close" in (r.body or {}).get("commands", "")]
    assert len(closes) == 1
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert len([r for r in todoist.requests if "item_close" in (r.body or {}).get("commands", "")]) == 1
    assert [t["title"] for t in connector_tasks(ada, "done")] == ["Water the plants"]


def test_changes_in_todoist_arrive_by_sync_token(ada: TestClient, todoist: FakeTodoist) -> None:
    keep, gone = todoist.add("Call the plumber"), todoist.add("Cancel the gym")
    connection = connect_todoist(ada)
    ada.post(f"/api/connections/{connection['id']}/sync")
    todoist.change(keep, content="Call the plumber about the leak")
    todoist.change(gone, is_deleted=True)
    todoist.add("Book flights")
    ada.post(f"/api/connections/{connection['id']}/sync")
    assert sorted(t["title"] for t in connector_tasks(ada)) == ["Book flights", "Call the plumber about the leak"]
    reads = [r.body["sync_token"] for r in todoist.requests if "items" in (r.body or {}).get("resource_types", "")]
    assert reads[0] == "*" and reads[1].startswith("tok-")


def test_disconnecting_keeps_or_removes_the_synced_tasks_as_the_member_chooses(
    ada: TestClient, todoist: FakeTodoist
) -> None:
    todoist.add("Renew passport")
    connection = connect_todoist(ada)
    ada.post(f"/api/connections/{connection['id']}/sync")
    kept = ada.delete(f"/api/connections/{connection['id']}").json()
    assert kept["revoked"] is False and kept["kept"] == 1 and "still works" in kept["message"]
    assert [t["title"] for t in connector_tasks(ada)] == ["Renew passport"]
    assert ada.get("/api/connections").json() == []

    again = connect_todoist(ada)
    ada.post(f"/api/connections/{again['id']}/sync")
    removed = ada.delete(f"/api/connections/{again['id']}", params={"keep_data": "false"}).json()
    assert removed["removed"] == 1
    assert [t["title"] for t in connector_tasks(ada)] == ["Renew passport"]  # the earlier, kept copy only
