"""The home page is the member's day: tasks due, today's events, reminders, lists, recent chats."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.organizer.conftest import Clock


def _panel(client: TestClient, name: str) -> str:
    answer = client.get(f"/fragments/panels/{name}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_new_household_sees_what_will_appear_and_how_to_start(household: TestClient) -> None:
    home = household.get("/").text
    assert 'id="ask-title">Ask Atom' in home and 'data-api="/api/assist"' in home
    assert home.index("Ask Atom") < home.index('id="panel-today"')  # the box comes first
    assert "Nothing due today." in home and "Nothing on today." in home and "No reminders left today." in home
    assert 'Shopping</a> <span class="muted">· empty' in home and "Your conversations with Atom show here" in home
    assert "schema version" not in home and "API token" not in home  # the box's own state lives on System


def test_the_day_shows_in_the_households_time_zone(household: TestClient, clock: Clock) -> None:
    household.post("/api/tasks", json={"title": "Buy stamps", "due_date": "2025-03-24"})
    household.post("/api/tasks", json={"title": "Paint the shed", "due_date": "2025-04-30"})
    household.post("/api/events", json={"title": "Choir", "starts": "2025-03-24T19:00:00"})
    household.post("/api/events", json={"title": "Dentist", "starts": "2025-03-25T09:00:00"})
    household.post("/api/reminders", json={"title": "Water the plants", "at": "2025-03-24T18:30:00"})
    household.post("/api/reminders", json={"title": "Call mum", "at": "2025-03-25T10:00:00"})
    today = _panel(household, "today")
    assert "Buy stamps" in today and "Paint the shed" not in today
    assert "19:00</span> Choir" in today and "Dentist" not in today
    assert "18:30</span> Water the plants" in today and "Call mum" not in today  # Berlin time, not UTC


def test_lists_and_chats_are_the_members_own(household: TestClient, robin: TestClient) -> None:
    robin.post("/api/assist", json={"text": "add oat milk to the shopping list"})
    robin.post("/api/lists", json={"name": "Robin's secrets", "shared": False}).json()
    assert "Robin&#39;s secrets" in _panel(robin, "lists")
    lists = _panel(household, "lists")
    assert 'Shopping</a> <span class="muted">· 1 open' in lists and "secrets" not in lists
    assert "add oat milk" in _panel(robin, "chats") and "add oat milk" not in _panel(household, "chats")
