"""The second tier: what the templates do not cover goes to a model offered Atom's tools."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.fakes import FakeAnthropic, FakeOpenAI


@pytest.fixture
def openai_admin(ai_admin: TestClient) -> Iterator[tuple[TestClient, FakeOpenAI]]:
    with FakeOpenAI() as fake:
        key = ai_admin.post(
            "/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "default_model": "gpt-4o-mini"}
        )
        ai_admin.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key.json()["id"]})
        yield ai_admin, fake


def test_a_model_chooses_the_tool_for_what_the_templates_miss(openai_admin: tuple[TestClient, FakeOpenAI]) -> None:
    client, fake = openai_admin
    fake.will_call("add_list_item", {"item": "cheddar", "list": "shopping"})
    said = "could you pop some cheddar on the list for the shop"
    understood = client.post("/api/assist/understand", json={"text": said}).json()
    assert understood["tool"] == "add_list_item" and understood["tier"] == "llm"
    assert understood["model"] == "openai/gpt-4o-mini" and understood["arguments"]["item"] == "cheddar"
    offered = {tool["function"]["name"] for tool in fake.last.body["tools"]}
    assert {"add_list_item", "calendar_create", "set_timer", "search"} <= offered and "confirm" not in offered
    system = fake.last.body["messages"][0]["content"]
    assert "Ada Admin" in system and "You are Atom" in system
    assert [i["text"] for i in client.get("/api/lists/shopping/items").json()] == []  # understood, not done
    done = client.post("/api/assist", json={"text": said}).json()
    assert done["acted"] and done["reply"] == "Added cheddar to Shopping."
    assert [i["text"] for i in client.get("/api/lists/shopping/items").json()] == ["cheddar"]


def test_a_model_that_answers_in_words_is_asked_once(openai_admin: tuple[TestClient, FakeOpenAI]) -> None:
    client, fake = openai_admin
    before = len(fake.requests)
    answer = client.post("/api/assist", json={"text": "tell me a joke"}).json()
    assert answer["understood"]["tool"] == "chat" and answer["reply"] == fake.text
    assert len(fake.requests) - before == 1
    history = client.get(f"/api/chat/conversations/{answer['conversation_id']}").json()["messages"]
    assert history[-1]["provider"] == "openai" and history[-1]["model"] == "gpt-4o-mini"


def test_a_model_that_deletes_still_asks_first(openai_admin: tuple[TestClient, FakeOpenAI]) -> None:
    client, fake = openai_admin
    client.post("/api/assist", json={"text": "add milk to the shopping list"})
    fake.will_call("clear_list", {"list": "shopping"})
    asked = client.post("/api/assist", json={"text": "bin everything on the shop list"}).json()
    assert not asked["acted"] and "Shall I" in asked["reply"]
    assert [i["text"] for i in client.get("/api/lists/shopping/items").json()] == ["milk"]


def test_anthropic_tool_use_works_the_same(ai_admin: TestClient) -> None:
    with FakeAnthropic() as fake:
        key = ai_admin.post(
            "/api/ai/keys", json={"provider": "anthropic", "api_key": fake.key, "default_model": "claude-haiku-4-5"}
        )
        ai_admin.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key.json()["id"]})
        fake.will_call("set_timer", {"minutes": 12, "name": "rice"})
        done = ai_admin.post("/api/assist", json={"text": "give the rice twelve minutes would you"}).json()
        assert done["understood"]["tier"] == "llm" and done["reply"] == "Timer for rice set for 12 minutes."


def test_without_any_model_the_coordinator_still_carries_the_templates(admin: TestClient, runtime: Runtime) -> None:
    assert admin.post("/api/assist", json={"text": "what time is it"}).json()["understood"]["tier"] == "matcher"
    unknown = admin.post("/api/assist/understand", json={"text": "give ada the job of sorting the recycling"}).json()
    assert unknown["tool"] == "chat" and unknown["tier"] == "none"


def test_the_model_hears_recent_turns_whole_and_older_ones_condensed(
    openai_admin: tuple[TestClient, FakeOpenAI],
) -> None:
    client, fake = openai_admin
    first = client.post("/api/assist", json={"text": "add flour to the shopping list"}).json()
    conversation = first["conversation_id"]
    for n in range(5):
        client.post("/api/assist", json={"text": f"add item{n} to the shopping list", "conversation_id": conversation})
    client.post("/api/assist", json={"text": "what was the first thing I added", "conversation_id": conversation})
    sent = fake.last.body["messages"]
    assert sent[0]["role"] == "system" and "You are Atom" in sent[0]["content"]
    assert sent[1]["role"] == "system" and "Earlier in this conversation" in sent[1]["content"]
    assert "add flour to the shopping list" in sent[1]["content"]
    assert sent[-1] == {"role": "user", "content": "what was the first thing I added"}
    assert len([m for m in sent if m["role"] in ("user", "assistant")]) == 7  # six recent turns and the question
