"""Personal API tokens: shown once, stored hashed, usable as Bearer, revocable."""

from __future__ import annotations

import hashlib

from litestar.testing import TestClient

from appliance.runtime import Runtime


def test_a_token_is_shown_once_and_works_as_bearer(admin: TestClient, runtime: Runtime) -> None:
    created = admin.post("/api/tokens", json={"name": "home script"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("atom_")
    listed = admin.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["home script"]
    assert secret not in admin.get("/api/tokens").text
    assert secret not in admin.get(f"/api/tokens/{listed[0]['id']}").text
    stored = runtime.db.read_sync(lambda c: c.execute("SELECT token_hash FROM api_tokens").fetchall())
    assert stored == [(hashlib.sha256(secret.encode()).hexdigest(),)]
    admin.cookies.clear()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert admin.get("/api/auth/me", headers=bearer).json()["username"] == "admin"
    # Bearer requests need no CSRF token: no browser sends them on its own.
    assert admin.post("/api/tokens", json={"name": "second"}, headers={**bearer, "X-CSRF-Token": ""}).status_code == 201


def test_revoked_tokens_stop_working(admin: TestClient) -> None:
    created = admin.post("/api/tokens", json={"name": "old"}).json()
    bearer = {"Authorization": f"Bearer {created['secret']}"}
    assert admin.delete(f"/api/tokens/{created['token']['id']}").status_code == 204
    admin.cookies.clear()
    assert admin.get("/api/auth/me", headers=bearer).status_code == 401


def test_last_use_is_recorded(admin: TestClient) -> None:
    created = admin.post("/api/tokens", json={"name": "cron"}).json()
    assert created["token"]["last_used_at"] is None
    admin.get("/api/auth/me", headers={"Authorization": f"Bearer {created['secret']}"})
    assert admin.get(f"/api/tokens/{created['token']['id']}").json()["last_used_at"] is not None


def test_wrong_bearer_is_401(client: TestClient) -> None:
    for header in ("Bearer atom_nope", "Bearer ", "Basic abc", "bearer"):
        assert client.get("/api/auth/me", headers={"Authorization": header}).status_code == 401
