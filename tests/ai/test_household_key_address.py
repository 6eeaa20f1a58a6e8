"""A household key's server cannot change without the household being told."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in


def test_pointing_a_household_key_elsewhere_is_shown_to_every_member(admin: TestClient, runtime: Runtime) -> None:
    body = {
        "provider": "openai_compatible",
        "label": "Kitchen PC",
        "base_url": "http://127.0.0.1:11434/v1",
        "default_model": "llama3",
        "shared": True,
    }
    key = admin.post("/api/ai/keys", json=body)
    assert key.status_code == 201, key.text
    key_id = key.json()["id"]
    add_member(admin, "robin")
    with second_client(runtime) as robin:
        sign_in(robin, "robin", "member password")
        assert _theirs(robin, key_id)["address_changed_at"] is None
        assert "data-address-changed" not in robin.get("/fragments/ai-keys").text
        admin.patch(f"/api/ai/keys/{key_id}", json={"label": "Kitchen PC (renamed)"})
        assert _theirs(robin, key_id)["address_changed_at"] is None  # a new name is not a new server
        moved = admin.patch(f"/api/ai/keys/{key_id}", json={"base_url": "http://127.0.0.2:8081/v1"})
        assert moved.status_code == 200, moved.text
        assert _theirs(robin, key_id)["address_changed_at"] is not None
        page = robin.get("/fragments/ai-keys").text
        assert "data-address-changed" in page and "http://127.0.0.2:8081/v1" in page


def test_a_members_own_key_changes_unremarked(admin: TestClient) -> None:
    body = {
        "provider": "openai_compatible",
        "label": "Mine",
        "base_url": "http://127.0.0.1:11434/v1",
        "default_model": "llama3",
        "shared": True,
    }
    key_id = admin.post("/api/ai/keys", json=body).json()["id"]
    from appliance.ai import queries

    runtime_db = admin.app.state.runtime.db
    runtime_db.write_sync(lambda c: c.execute("UPDATE provider_keys SET owner = 'someone' WHERE id = ?", [key_id]))
    runtime_db.write_sync(queries.update_key, key_id, {"base_url": "http://127.0.0.2:1/v1"})
    changed = runtime_db.read_sync(
        lambda c: c.execute("SELECT address_changed_at FROM provider_keys WHERE id = ?", [key_id]).fetchone()[0]
    )
    assert changed is None


def _theirs(client: TestClient, key_id: str) -> dict:
    return next(k for k in client.get("/api/ai/keys").json() if k["id"] == key_id)
