"""An admin may say a household key's OpenAI-compatible server is on the household's own network;
only then does it hear the household note (who lives here), as the model on this box does."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from appliance.ai.own_network import in_the_house
from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeLanServer, FakeOpenAI


def _lan_key(client: TestClient, base_url: str, **extra: object):  # type: ignore[no-untyped-def]
    body = {"provider": "openai_compatible", "base_url": base_url, "default_model": "qwen2.5:7b", **extra}
    return client.post("/api/ai/keys", json=body)


def _refused(response, status: int, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert all(word in response.json()["detail"] for word in words), response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("http://192.168.1.20:11434/v1", True),
        ("http://10.0.0.5/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://[fd00::5]:11434/v1", True),
        ("http://ollama.local:11434/v1", True),
        ("http://localhost:11434/v1", True),
        ("https://api.example.com/v1", False),
        ("http://8.8.8.8/v1", False),
        ("http://ollama.local.example.com/v1", False),
        ("http://.local/v1", False),
        ("http://0.0.0.0/v1", False),
        ("http://nas/v1", False),
    ],
)
def test_only_an_address_plainly_in_the_house_counts(url: str, inside: bool) -> None:
    assert in_the_house(url) is inside


def test_the_flag_is_refused_for_a_public_address_and_for_other_providers(ai_admin: TestClient) -> None:
    _refused(_lan_key(ai_admin, "https://llm.example.com/v1", shared=True, on_own_network=True), 400, "not plainly")
    with FakeOpenAI() as fake:
        cloud = {"provider": "openai", "api_key": fake.key, "shared": True, "on_own_network": True}
        _refused(ai_admin.post("/api/ai/keys", json=cloud), 400, "OpenAI", "not a server in the house")
    _refused(_lan_key(ai_admin, "http://127.0.0.1:9/v1", on_own_network=True), 400, "only a household key")
    assert ai_admin.get("/api/ai/keys").json() == []

    key = _lan_key(ai_admin, "http://127.0.0.1:9/v1", shared=True, on_own_network=True)
    assert key.status_code == 201 and key.json()["on_own_network"] is True, key.text
    moved = ai_admin.patch(f"/api/ai/keys/{key.json()['id']}", json={"base_url": "https://llm.example.com/v1"})
    _refused(moved, 400, "not plainly")  # a flagged key cannot move out of the house unremarked
    assert "data-own-network" in ai_admin.get("/fragments/ai-keys").text


def test_a_member_cannot_set_it(ai_admin: TestClient, runtime_fast_retries: Runtime) -> None:
    add_member(ai_admin, "robin")
    shared = _lan_key(ai_admin, "http://127.0.0.1:9/v1", shared=True).json()
    with second_client(runtime_fast_retries) as robin:
        sign_in(robin, "robin", "member password")
        _refused(_lan_key(robin, "https://llm.example.com/v1", on_own_network=True), 403, "only a household admin")
        with FakeLanServer(key=None) as public:  # a server on the internet, as far as a member's key goes
            own = _lan_key(robin, public.base_url)
            assert own.status_code == 201, own.text
            _refused(robin.patch(f"/api/ai/keys/{own.json()['id']}", json={"on_own_network": True}), 403, "admin")
        _refused(robin.patch(f"/api/ai/keys/{shared['id']}", json={"on_own_network": True}), 403, "admin")
    assert all(not k["on_own_network"] for k in ai_admin.get("/api/ai/keys").json())


@pytest.mark.parametrize("flagged", [False, True])
def test_the_household_note_reaches_a_loopback_server_only_when_flagged(ai_admin: TestClient, flagged: bool) -> None:
    add_member(ai_admin, "cleo")
    with FakeLanServer(key=None) as lan:
        key = _lan_key(ai_admin, lan.base_url, shared=True, on_own_network=flagged)
        assert key.status_code == 201, key.text
        ai_admin.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key.json()["id"]})
        answer = ai_admin.post("/api/assist", json={"text": "could you summarise the news for me"})
        assert answer.status_code == 200 and answer.json()["understood"]["tier"] == "llm", answer.text
        system = lan.last.body["messages"][0]
    assert system["role"] == "system" and "talking with Ada Admin" in system["content"]
    assert ("Household members:" in system["content"]) is flagged
    assert ("cleo" in str(lan.last.body)) is flagged
