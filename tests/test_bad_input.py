"""Bad input gets a clear 4xx with a message, and nothing is half-written."""

from __future__ import annotations

from litestar.testing import TestClient


def _detail(response) -> str:  # type: ignore[no-untyped-def]
    body = response.json()
    assert body["status_code"] == response.status_code
    return body["detail"] + " " + str(body.get("extra", ""))


def test_malformed_json_is_400(admin: TestClient) -> None:
    response = admin.post("/api/members", content=b'{"username": "bob",', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in _detail(response) or "malformed" in _detail(response).lower()


def test_wrong_types_are_400_and_name_the_field(admin: TestClient) -> None:
    response = admin.post("/api/members", json={"username": 42, "password": "long enough"})
    assert response.status_code == 400
    assert "username" in _detail(response)


def test_rule_breaking_values_are_400(admin: TestClient) -> None:
    short = admin.post("/api/members", json={"username": "bob", "password": "short"})
    assert short.status_code == 400 and "password" in _detail(short)
    bad_name = admin.post("/api/members", json={"username": "Bob Smith!", "password": "long enough"})
    assert bad_name.status_code == 400 and "username" in _detail(bad_name)
    bad_role = admin.post("/api/members", json={"username": "bob", "password": "long enough", "role": "god"})
    assert bad_role.status_code == 400 and "role" in _detail(bad_role)


def test_unknown_fields_are_400(admin: TestClient) -> None:
    response = admin.post("/api/members", json={"username": "bob", "password": "long enough", "is_root": True})
    assert response.status_code == 400
    assert "is_root" in _detail(response)


def test_oversized_bodies_are_413(admin: TestClient) -> None:
    huge = {"username": "bob", "password": "x" * 2_000_000}
    response = admin.post("/api/members", json=huge)
    assert response.status_code == 413
    assert _detail(response).strip()


def test_nothing_is_half_written_after_a_refusal(admin: TestClient) -> None:
    admin.post("/api/members", json={"username": "bob", "password": "short"})
    admin.post("/api/members", json={"username": "bob", "password": "x" * 2_000_000})
    assert [m["username"] for m in admin.get("/api/members").json()] == ["admin"]


def test_errors_never_leak_a_stack_trace(admin: TestClient) -> None:
    response = admin.patch("/api/members/nope", json={"display_name": "x"})
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_ai_keys_and_models_refuse_bad_values_with_a_message(admin: TestClient) -> None:
    refusals = [
        ("/api/ai/keys", {"provider": "openai", "api_key": "sk-0123456789ab", "base_url": "https://my.proxy/v1"}),
        ("/api/ai/keys", {"provider": "openai_compatible", "base_url": "http://127.0.0.1:11434/v1"}),
        ("/api/ai/keys", {"provider": "openai_compatible", "base_url": "http://user:pw@example.com/v1"}),
        ("/api/ai/keys", {"provider": "openai_compatible"}),
        ("/api/ai/models", {"name": "installed.json", "path": "x.gguf"}),
        ("/api/ai/models", {"name": "mine", "path": "/etc/passwd"}),
        ("/api/ai/models", {"name": "mine", "path": "x.gguf", "url": "https://example.com/x.gguf"}),
        ("/api/ai/models", {"name": "mine", "url": "file:///etc/passwd"}),
        ("/api/ai/models", {"name": "mine", "path": "x.gguf", "sha256": "not-a-checksum"}),
    ]
    for path, body in refusals:
        response = admin.post(path, json=body)
        assert response.status_code == 400 and _detail(response).strip(), (path, body, response.text)
        assert "root:" not in response.text
    assert admin.get("/api/ai/keys").json() == []
    assert "mine" not in {m["name"] for m in admin.get("/api/ai/models").json()}
