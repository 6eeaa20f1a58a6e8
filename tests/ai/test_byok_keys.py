"""Bring-your-own-key over the API: add, list (masked), show, update, test, delete; per-user isolation."""

from __future__ import annotations

from litestar.testing import TestClient
from markupsafe import escape

from appliance.ai.providers.registry import box_provider
from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in
from tests.fakes import FakeOpenAI


def _add_openai(client: TestClient, fake: FakeOpenAI, **extra: object) -> dict:
    body = {
        "provider": "openai",
        "api_key": fake.key,
        "default_model": "gpt-4o-mini",
        **extra,
    }
    response = client.post("/api/ai/keys", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_providers_are_listed(ai_admin: TestClient) -> None:
    ids = {p["id"] for p in ai_admin.get("/api/ai/providers").json()}
    assert {"openai", "azure_openai", "anthropic", "gemini", "deepseek", "openai_compatible"} <= ids


def test_the_key_form_asks_what_each_manifest_says_and_offers_no_key_for_the_box(ai_admin: TestClient) -> None:
    providers = {p["id"]: p for p in ai_admin.get("/api/ai/providers").json()}
    box = box_provider()
    assert box.id not in providers
    refused = ai_admin.post("/api/ai/keys", json={"provider": box.id})
    assert refused.status_code == 400 and "needs no key" in refused.json()["detail"]
    page = ai_admin.get("/settings/ai").text
    options = providers["azure_openai"]["options"]
    assert [o["name"] for o in options] == ["deployment", "api_version"]  # the manifest's order
    for option in options:
        assert f">{escape(option['label'])}</label>" in page and str(escape(option["hint"])) in page


def test_a_key_is_stored_encrypted_and_only_ever_shown_masked(ai_admin: TestClient, runtime: Runtime) -> None:
    with FakeOpenAI() as fake:
        key = _add_openai(ai_admin, fake, label="My OpenAI")
        assert key["key_hint"] == f"{fake.key[:3]}…{fake.key[-4:]}"
        for page in (ai_admin.get("/api/ai/keys"), ai_admin.get(f"/api/ai/keys/{key['id']}")):
            assert page.status_code == 200 and fake.key not in page.text
        everything = runtime.db.read_sync(
            lambda c: (
                str(c.execute("SELECT * FROM provider_keys").fetchall())
                + str(c.execute("SELECT * FROM vault_secrets").fetchall())
            )
        )
        assert fake.key not in everything


def test_update_test_and_delete_a_key(ai_admin: TestClient) -> None:
    with FakeOpenAI() as fake:
        key = _add_openai(ai_admin, fake)
        tested = ai_admin.post(f"/api/ai/keys/{key['id']}/test").json()
        assert tested["ok"] is True and "gpt-4o-mini" in tested["models"]
        assert fake.last.path == "/v1/models"
        wrong = ai_admin.patch(f"/api/ai/keys/{key['id']}", json={"api_key": "sk-wrong-000000000000", "label": "Work"})
        assert wrong.json()["label"] == "Work" and wrong.json()["key_hint"].endswith("0000")
        rejected = ai_admin.post(f"/api/ai/keys/{key['id']}/test").json()
        assert rejected["ok"] is False and "key rejected" in rejected["detail"].lower()
        assert ai_admin.delete(f"/api/ai/keys/{key['id']}").status_code == 204
        assert ai_admin.get(f"/api/ai/keys/{key['id']}").status_code == 404


def test_bad_keys_are_refused_with_a_message(ai_admin: TestClient) -> None:
    assert "needs an API key" in ai_admin.post("/api/ai/keys", json={"provider": "openai"}).json()["detail"]
    unknown = ai_admin.post("/api/ai/keys", json={"provider": "skynet", "api_key": "x"})
    assert unknown.status_code == 404
    model = ai_admin.post(
        "/api/ai/keys", json={"provider": "openai", "api_key": "sk-1234567890", "default_model": "gpt-99"}
    )
    assert model.status_code == 400 and "gpt-99" in model.json()["detail"]
    option = ai_admin.post(
        "/api/ai/keys", json={"provider": "openai", "api_key": "sk-1234567890", "options": {"x": "1"}}
    )
    assert option.status_code == 400 and "option" in option.json()["detail"]


def test_another_member_can_neither_see_nor_use_my_key(ai_admin: TestClient, runtime: Runtime) -> None:
    add_member(ai_admin, "bob", "bob's password")
    with FakeOpenAI() as fake, second_client(runtime) as bob:
        key = _add_openai(ai_admin, fake)
        sign_in(bob, "bob", "bob's password")
        assert bob.get("/api/ai/keys").json() == []
        for call in (bob.get, bob.delete):
            assert call(f"/api/ai/keys/{key['id']}").status_code == 404
        assert bob.post(f"/api/ai/keys/{key['id']}/test").status_code == 404
        used = bob.post(
            "/v1/chat/completions",
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert used.status_code == 400 and "not available" in used.json()["error"]["message"]
        assert bob.put("/api/ai/preferences", json={"policy": "fixed", "fixed_key": key["id"]}).status_code == 400
        assert not [r for r in fake.requests if r.path.endswith("/chat/completions")]


def test_household_keys_are_shared_by_admins_only(ai_admin: TestClient, runtime: Runtime) -> None:
    add_member(ai_admin, "bob", "bob's password")
    with FakeOpenAI() as fake, second_client(runtime) as bob:
        shared = _add_openai(ai_admin, fake, shared=True, label="House OpenAI")
        sign_in(bob, "bob", "bob's password")
        seen = bob.get("/api/ai/keys").json()
        assert [(k["id"], k["shared"]) for k in seen] == [(shared["id"], True)]
        assert bob.delete(f"/api/ai/keys/{shared['id']}").status_code == 403
        assert bob.patch(f"/api/ai/keys/{shared['id']}", json={"label": "mine"}).status_code == 403
        own = bob.post("/api/ai/keys", json={"provider": "openai", "api_key": fake.key, "shared": True})
        assert own.status_code == 403
        reply = bob.post(
            "/v1/chat/completions",
            json={"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
        )
        assert reply.status_code == 200, reply.text


def test_the_admin_cannot_see_or_use_a_members_key(ai_admin: TestClient, runtime: Runtime) -> None:
    add_member(ai_admin, "bob", "bob's password")
    with FakeOpenAI() as fake, second_client(runtime) as bob:
        sign_in(bob, "bob", "bob's password")
        key = _add_openai(bob, fake)
        assert ai_admin.get("/api/ai/keys").json() == []
        assert ai_admin.get(f"/api/ai/keys/{key['id']}").status_code == 404
        assert ai_admin.patch(f"/api/ai/keys/{key['id']}", json={"label": "x"}).status_code == 404
        assert ai_admin.post(f"/api/ai/keys/{key['id']}/test").status_code == 404
