"""One chat, not two: a chat message with the model left on "auto" goes through the coordinator."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from tests.fakes import FakeOpenAI


def _events(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def _say(client: TestClient, conversation: str, text: str) -> list[tuple[str, dict]]:
    reply = client.post(f"/api/chat/conversations/{conversation}/messages", json={"content": text})
    assert reply.status_code == 200, reply.text
    return _events(reply.text)


def test_a_command_in_the_chat_acts_and_links_to_what_it_changed(admin: TestClient) -> None:
    conversation = admin.post("/api/chat/conversations", json={}).json()["id"]
    events = _say(admin, conversation, "add oat milk to the shopping list")
    assert [kind for kind, _ in events] == ["turn", "chunk", "action", "done"]
    assert events[1][1]["text"] == "Added oat milk to Shopping."
    assert events[2][1] == {"tool": "add_list_item", "tier": "matcher", "acted": True, "link": "/tasks#list-shopping"}
    assert events[3][1]["message"]["provider"] == "atom" and events[3][1]["message"]["model"] == "add_list_item"
    assert [i["text"] for i in admin.get("/api/lists/shopping/items").json()] == ["oat milk"]
    kept = admin.get(f"/api/chat/conversations/{conversation}").json()["messages"]
    assert [m["content"] for m in kept] == ["add oat milk to the shopping list", "Added oat milk to Shopping."]


def test_a_question_for_a_model_streams_its_words(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        key = ai_admin.post(
            "/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"}
        )
        ai_admin.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key.json()["id"]})
        conversation = ai_admin.post("/api/chat/conversations", json={}).json()["id"]
        events = _say(ai_admin, conversation, "tell me something nice about Tuesdays")
        chunks = [data["text"] for kind, data in events if kind == "chunk"]
        assert len(chunks) > 3 and "".join(chunks) == fake.text  # piece by piece, as the model wrote
        assert events[-1][0] == "done" and events[-1][1]["message"]["model"] == "gpt-4o-mini"
        assert "tools" in fake.last.body  # the model was offered Atom's tools


def test_naming_a_model_talks_to_that_model_alone(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"})
        conversation = ai_admin.post("/api/chat/conversations", json={}).json()["id"]
        reply = ai_admin.post(
            f"/api/chat/conversations/{conversation}/messages",
            json={"content": "add oat milk to the shopping list", "model": "openai/gpt-4o-mini"},
        )
        assert [kind for kind, _ in _events(reply.text)][-1] == "done"
        assert "tools" not in fake.last.body
        assert ai_admin.get("/api/lists/shopping/items").json() == []


def test_another_members_conversation_is_404_before_anything_streams(admin: TestClient) -> None:
    assert admin.post("/api/chat/conversations/nope/messages", json={"content": "what time is it"}).status_code == 404
