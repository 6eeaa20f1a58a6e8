"""System status reports every component, and says how to fix what is wrong."""

from __future__ import annotations

from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime

CACHE = model_cache()


def _component(client: TestClient, name: str) -> dict:
    return next(c for c in client.get("/api/system/status").json()["components"] if c["name"] == name)


def test_every_component_is_reported(admin: TestClient) -> None:
    names = [c["name"] for c in admin.get("/api/system/status").json()["components"]]
    assert names == ["database", "jobs", "disk", "models", "backups"]
    assert _component(admin, "database")["ok"] is True
    assert "atom-worker" in _component(admin, "jobs")["summary"]  # no worker in this test


def test_missing_models_are_named_with_the_fix(admin: TestClient, runtime: Runtime) -> None:
    models = _component(admin, "models")
    assert models["ok"] is False
    assert "smollm2" in models["details"]["missing"] and "atom models install --default" in models["summary"]
    install_model(runtime.settings.data_dir, load_manifest().get("smollm2"), CACHE)
    assert "smollm2" not in _component(admin, "models")["details"]["missing"]
