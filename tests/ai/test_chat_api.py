"""Chat with history over the API: conversations are private, replies stream and are kept."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeOpenAI


def _events(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_a_conversation_streams_replies_and_keeps_its_history(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post(
            "/api/ai/keys",
            json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"},
        )
        chat = ai_admin.post("/api/chat/conversations", json={}).json()
        reply = ai_admin.post(
            f"/api/chat/conversations/{chat['id']}/messages",
            json={"content": "What is the capital of France?", "model": "openai/gpt-4o-mini"},
        )
        events = _events(reply.text)
        chunks = [data["text"] for kind, data in events if kind == "chunk"]
        assert len(chunks) > 3 and "".join(chunks) == fake.text
        assert events[-1][0] == "done" and events[-1][1]["message"]["model"] == "gpt-4o-mini"
        ai_admin.post(
            f"/api/chat/conversations/{chat['id']}/messages",
            json={"content": "And Spain?", "model": "openai/gpt-4o-mini"},
        )
        sent = fake.last.body["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]  # history went along
        detail = ai_admin.get(f"/api/chat/conversations/{chat['id']}").json()
        assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
        assert detail["conversation"]["title"] == "What is the capital of France?"


def test_the_stream_opens_with_my_kept_message_and_the_title_it_gave_the_conversation(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"})
        chat = ai_admin.post("/api/chat/conversations", json={}).json()
        assert chat["title"] == "New chat"
        first = "Plan a trip\n  to   Lisbon " + "with many stops " * 10
        url = f"/api/chat/conversations/{chat['id']}/messages"
        kind, turn = _events(ai_admin.post(url, json={"content": first}).text)[0]
        assert kind == "turn" and turn["message"]["content"] == first and turn["message"]["role"] == "user"
        assert turn["conversation"]["title"] == "Plan a trip to Lisbon with many stops with many stops with…"
        events = _events(ai_admin.post(url, json={"content": "And Porto?"}).text)
        assert [events[0][0], events[-1][0]] == ["turn", "done"]
        assert events[0][1]["conversation"]["title"] == turn["conversation"]["title"]  # only the first message names it
        kept = ai_admin.get(f"/api/chat/conversations/{chat['id']}").json()
        assert kept["conversation"]["title"] == turn["conversation"]["title"] and len(kept["messages"]) == 4


def test_provider_failure_is_an_error_event_not_a_broken_page(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        ai_admin.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key})
        fake.fail(401)
        chat = ai_admin.post("/api/chat/conversations", json={}).json()
        reply = ai_admin.post(
            f"/api/chat/conversations/{chat['id']}/messages", json={"content": "hi", "model": "openai/gpt-5-nano"}
        )
        kind, data = _events(reply.text)[-1]
        assert kind == "error" and "key rejected" in data["detail"].lower()


def test_conversations_are_private_even_from_the_admin(ai_admin: TestClient, runtime: Runtime) -> None:
    add_member(ai_admin, "bob", "bob's password")
    with second_client(runtime) as bob:
        sign_in(bob, "bob", "bob's password")
        mine = bob.post("/api/chat/conversations", json={"title": "Bob's diary"}).json()
        assert ai_admin.get(f"/api/chat/conversations/{mine['id']}").status_code == 404
        assert ai_admin.post(f"/api/chat/conversations/{mine['id']}/messages", json={"content": "x"}).status_code == 404
        assert ai_admin.delete(f"/api/chat/conversations/{mine['id']}").status_code == 404
        assert ai_admin.get("/api/chat/conversations").json() == []
        assert bob.delete(f"/api/chat/conversations/{mine['id']}").status_code == 204
