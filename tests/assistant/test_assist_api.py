"""The chat coordinator over HTTP: it understands without acting, acts, asks before deleting,
keeps the conversation, and what it changes shows on the member's open pages."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in


def _items(client: TestClient, list_id: str = "shopping") -> list[str]:
    return [item["text"] for item in client.get(f"/api/lists/{list_id}/items").json()]


def test_understand_says_what_it_would_do_without_doing_it(admin: TestClient) -> None:
    understood = admin.post("/api/assist/understand", json={"text": "add oat milk to the shopping list"})
    assert understood.status_code == 200
    assert understood.json() == {
        "tool": "add_list_item",
        "arguments": {"item": "oat milk", "list": "shopping"},
        "tier": "matcher",
        "confidence": 0.85,
        "confirm": False,
        "said": None,
        "model": None,
        "fallback": None,
    }
    assert _items(admin) == []


def test_a_command_acts_replies_with_a_link_and_is_kept_in_the_conversation(admin: TestClient) -> None:
    done = admin.post("/api/assist", json={"text": "add oat milk to the shopping list"}).json()
    assert done["acted"] and done["reply"] == "Added oat milk to Shopping." and done["link"] == "/tasks#list-shopping"
    assert _items(admin) == ["oat milk"]
    history = admin.get(f"/api/chat/conversations/{done['conversation_id']}").json()["messages"]
    assert [(m["role"], m["content"]) for m in history] == [
        ("user", "add oat milk to the shopping list"),
        ("assistant", "Added oat milk to Shopping."),
    ]
    follow = admin.post("/api/assist", json={"text": "we're out of eggs", "conversation_id": done["conversation_id"]})
    assert follow.json()["conversation_id"] == done["conversation_id"]
    assert _items(admin) == ["oat milk", "eggs"]


def test_deleting_asks_first_and_only_a_yes_from_the_same_member_goes_ahead(
    admin: TestClient, runtime: Runtime
) -> None:
    admin.post("/api/assist", json={"text": "add eggs to the shopping list"})
    asked = admin.post("/api/assist", json={"text": "remove eggs from the shopping list"}).json()
    assert not asked["acted"] and asked["understood"]["confirm"] and "Shall I" in asked["reply"]
    assert _items(admin) == ["eggs"]
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        assert robin.post("/api/assist", json={"text": "yes"}).json()["reply"] == "There was nothing waiting for a yes."
    assert _items(admin) == ["eggs"]
    assert admin.post("/api/assist", json={"text": "no"}).json()["reply"] == "All right, I won't."
    assert _items(admin) == ["eggs"]
    admin.post("/api/assist", json={"text": "remove eggs from the shopping list"})
    yes = admin.post("/api/assist", json={"text": "yes please"}).json()
    assert yes["acted"] and yes["understood"]["tool"] == "remove_list_item"
    assert _items(admin) == []


def test_what_chat_does_shows_live_on_the_members_pages(admin: TestClient) -> None:
    with admin.websocket_connect("/api/live") as socket:
        assert json.loads(socket.receive_text())["action"] == "ready"
        admin.post("/api/assist", json={"text": "add bread to the shopping list"})
        topics = {json.loads(socket.receive_text())["topic"] for _ in range(2)}
    assert "lists" in topics and "conversations" in topics


def test_timers_run_report_and_ring(admin: TestClient) -> None:
    with admin.websocket_connect("/api/live") as socket:
        socket.receive_text()
        assert admin.post("/api/assist", json={"text": "set a timer for 1 second"}).json()["reply"].startswith("Timer")
        events = [json.loads(socket.receive_text()) for _ in range(3)]
    timers = [e for e in events if e["topic"] == "timers"]
    assert [e["action"] for e in timers][:2] == ["created", "updated"]  # set, then ringing
    assert admin.post("/api/assist", json={"text": "timer status"}).json()["reply"] == "No timer is running."


def test_the_service_token_and_strangers_cannot_use_the_coordinator(client: TestClient, runtime: Runtime) -> None:
    service = {"Authorization": f"Bearer {runtime.service_token}"}
    assert client.post("/api/assist", json={"text": "what time is it"}, headers=service).status_code == 403
    assert client.post("/api/assist", json={"text": "what time is it"}).status_code == 401


def test_bad_input_is_a_clear_400(admin: TestClient) -> None:
    assert admin.post("/api/assist", json={"text": ""}).status_code == 400
    assert admin.post("/api/assist", json={"text": "x" * 2001}).status_code == 400
    assert admin.post("/api/assist", json={"text": "hi", "conversation_id": "not-mine"}).status_code == 404


def test_a_spoken_reminder_is_a_real_reminder(admin: TestClient) -> None:
    said = admin.post("/api/assist", json={"text": "remind me to call the plumber tomorrow at 9"}).json()
    assert said["understood"]["tool"] == "set_reminder" and said["reply"].startswith(
        "I'll remind you to call the plumber"
    )
    pending = admin.get("/api/reminders").json()
    assert [r["title"] for r in pending] == ["call the plumber"]
    assert pending[0]["remind_at"].endswith("09:00:00") or "T09:00" in pending[0]["remind_at"]


def test_a_list_name_that_looks_like_template_syntax_is_just_a_name(admin: TestClient) -> None:
    made = admin.post("/api/lists", json={"name": "(odd|stuff) [x] {y}", "shared": True})
    assert made.status_code == 201, made.text
    understood = admin.post("/api/assist/understand", json={"text": "add pens to the (odd|stuff) [x] {y} list"})
    assert understood.status_code == 200
    assert understood.json()["arguments"].get("list") == "(odd|stuff) [x] {y}"


def test_a_command_in_another_members_conversation_is_refused_before_it_acts(
    admin: TestClient, runtime: Runtime
) -> None:
    mine = admin.post("/api/assist", json={"text": "add tea to the shopping list"}).json()["conversation_id"]
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        refused = robin.post("/api/assist", json={"text": "add rum to the shopping list", "conversation_id": mine})
        assert refused.status_code == 404
    assert _items(admin) == ["tea"]
    assert len(admin.get(f"/api/chat/conversations/{mine}").json()["messages"]) == 2
