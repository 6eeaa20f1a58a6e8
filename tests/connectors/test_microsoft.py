"""Microsoft To Do and Outlook end to end over loopback HTTP: device sign-in against the identity
platform's /devicecode and /token (a declined code refused), To Do tasks both ways by delta link,
Outlook events on the member's calendar by calendarView delta, a forgotten delta link (410)
answered with a full listing, an expired token refreshed with rotation, a revoked grant."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from litestar.testing import TestClient

from tests.connectors.records_helpers import sync
from tests.connectors.test_google_calendar import event_titles
from tests.fakes.microsoft_api import CLIENT_ID, FakeMicrosoft


def start_microsoft(client: TestClient) -> dict:
    started = client.post("/api/connections", json={"connector": "microsoft", "client_id": CLIENT_ID})
    assert started.status_code == 201, started.text
    return started.json()


def sign_in_microsoft(client: TestClient, microsoft: FakeMicrosoft, email: str = "ada@outlook.com") -> dict:
    step = start_microsoft(client)
    assert step["device"]["verification_uri"] == "https://microsoft.com/devicelogin"
    connection_id = step["connection"]["id"]
    pending = client.post(f"/api/connections/{connection_id}/sign-in/poll")
    assert pending.status_code == 200 and pending.json()["connection"]["state"] == "signing-in"
    microsoft.approve(step["device"]["user_code"], email)
    time.sleep(microsoft.interval + 0.05)
    done = client.post(f"/api/connections/{connection_id}/sign-in/poll")
    assert done.status_code == 200, done.text
    return done.json()["connection"]


def seed_tasks(microsoft: FakeMicrosoft, count: int) -> None:
    list_id = next(iter(microsoft.state.lists), None) or microsoft.add_list("Tasks")
    for n in range(count):
        microsoft.add_task(list_id, f"Item {n}")


def todo_tasks(client: TestClient, status: str = "open") -> list[dict]:
    return [t for t in client.get("/api/tasks", params={"status": status}).json() if t["source"] == "connector"]


def test_device_sign_in_then_to_do_tasks_and_outlook_events_arrive(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    groceries = microsoft.add_list("Groceries")
    microsoft.add_task(
        groceries, "Buy oat milk", dueDateTime={"dateTime": "2026-12-03T00:00:00.0000000", "timeZone": "UTC"}
    )
    microsoft.add_task(groceries, "Bought bread", status="completed")
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    microsoft.add_event("Dentist", soon, soon + timedelta(hours=1), location={"displayName": "High Street 4"})
    connection = sign_in_microsoft(ada, microsoft)
    assert connection["state"] == "connected" and connection["account"] == "ada@outlook.com"
    assert sync(ada, connection)["state"] == "connected"

    (task,) = todo_tasks(ada)
    assert task["title"] == "Buy oat milk" and task["due_date"] == "2026-12-03"
    assert "https://to-do.office.com/tasks/id/" in task["notes"]
    assert [t["title"] for t in todo_tasks(ada, "done")] == ["Bought bread"]
    assert event_titles(ada) == ["Dentist"]
    delta = [r for r in microsoft.requests if r.path == "/v1.0/me/calendarView/delta"]
    assert "startDateTime" in delta[0].query and 'outlook.timezone="UTC"' in delta[0].headers["prefer"]


def test_a_declined_code_leaves_the_connection_needing_sign_in(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    step = start_microsoft(ada)
    microsoft.decline(step["device"]["user_code"])
    refused = ada.post(f"/api/connections/{step['connection']['id']}/sign-in/poll")
    assert refused.status_code >= 400 and refused.status_code < 500, refused.text
    (listed,) = ada.get("/api/connections").json()
    assert listed["state"] == "needs-sign-in" and listed["account"] is None


def test_changes_arrive_by_delta_link_and_completions_go_back(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    home = microsoft.add_list("Home")
    keep, gone, tick = (microsoft.add_task(home, t) for t in ("Fix the tap", "Sell the bike", "Call the bank"))
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    party = microsoft.add_event("Party", soon, soon + timedelta(hours=3))
    connection = sign_in_microsoft(ada, microsoft)
    sync(ada, connection)
    (called,) = [t for t in todo_tasks(ada) if t["title"] == "Call the bank"]
    assert ada.post(f"/api/tasks/{called['id']}/complete").status_code in (200, 201)

    microsoft.change_task(home, keep, title="Fix the kitchen tap")
    microsoft.delete_task(home, gone)
    microsoft.change_event(party, subject="Birthday party")
    sync(ada, connection)
    assert sorted(t["title"] for t in todo_tasks(ada)) == ["Fix the kitchen tap"]
    assert microsoft.state.tasks[home][tick].body["status"] == "completed"
    assert event_titles(ada) == ["Birthday party"]
    reads = [r for r in microsoft.requests if r.path.endswith("/tasks/delta")]
    assert "$deltatoken" not in reads[0].query and "$deltatoken" in reads[-1].query
    patches = [r for r in microsoft.requests if r.method == "PATCH"]
    sync(ada, connection)
    assert len([r for r in microsoft.requests if r.method == "PATCH"]) == len(patches) == 1


def test_a_forgotten_delta_link_lists_everything_again_and_forgets_what_is_gone(
    ada: TestClient, microsoft: FakeMicrosoft
) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    first, second = (microsoft.add_event(s, soon, soon + timedelta(hours=1)) for s in ("Yoga", "Choir"))
    connection = sign_in_microsoft(ada, microsoft)
    sync(ada, connection)
    microsoft.forget_delta_tokens()
    del microsoft.state.events[second]  # gone while Atom's delta link was no good
    microsoft.change_event(first, subject="Yoga at the park")
    assert sync(ada, connection)["state"] == "connected"
    assert event_titles(ada) == ["Yoga at the park"]
    assert any(r.path == "/v1.0/me/calendarView/delta" and "startDateTime" in r.query for r in microsoft.requests[-3:])


def test_an_expired_token_is_refreshed_and_the_rotated_one_kept(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    seed_tasks(microsoft, 1)
    connection = sign_in_microsoft(ada, microsoft)
    microsoft.expire_access_tokens()
    assert sync(ada, connection)["state"] == "connected"
    microsoft.expire_access_tokens()
    assert sync(ada, connection)["state"] == "connected"  # the second refresh used the rotated token
    refreshes = [r for r in microsoft.requests if (r.body or {}).get("grant_type") == "refresh_token"]
    assert len(refreshes) == 2 and refreshes[0].body["refresh_token"] != refreshes[1].body["refresh_token"]
    assert "client_secret" not in refreshes[0].body
    assert len(todo_tasks(ada)) == 1


def test_disconnecting_says_where_to_remove_atom(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    seed_tasks(microsoft, 1)
    connection = sign_in_microsoft(ada, microsoft)
    sync(ada, connection)
    answer = ada.delete(f"/api/connections/{connection['id']}", params={"keep_data": "false"}).json()
    assert answer["revoked"] is False and answer["removed"] == 1 and "authorised apps" in answer["message"]
    assert todo_tasks(ada) == []


def test_a_sync_cut_off_within_a_list_resumes_at_that_page(ada: TestClient, microsoft: FakeMicrosoft) -> None:
    seed_tasks(microsoft, 150)
    connection = sign_in_microsoft(ada, microsoft)
    microsoft.cut_after(2)  # the lists and the first page of tasks
    assert sync(ada, connection)["state"] == "error"
    microsoft.cut_after(None)
    assert sync(ada, connection)["items"] == 150
    titles = [t["title"] for t in todo_tasks(ada)]
    assert len(titles) == len(set(titles)) == 150
    resumed = [r for r in microsoft.requests if r.path.endswith("/tasks/delta")][-1]
    assert "$skiptoken" in resumed.query
