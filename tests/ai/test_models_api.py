"""Models over the API: shipped and installed ones listed; an admin adds a GGUF from the box and chats with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.ai.models import install_model, load_manifest, require_model
from appliance.caches import model_cache
from appliance.runtime import Runtime
from tests.conftest import add_member, second_client, sign_in

pytest.importorskip("llama_cpp", reason="llama-cpp-python is installed by scripts/llama-wheel.sh")

CACHE = model_cache()


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real GGUF file lying on the box, outside Atom's data folder."""
    elsewhere = tmp_path_factory.mktemp("downloads")
    install_model(elsewhere, load_manifest().get("smollm2"), CACHE)
    return require_model(elsewhere, "smollm2").path(elsewhere)


@pytest.fixture
def a_gguf(downloaded: Path, runtime: Runtime) -> Path:
    """That file, put by the admin in the import folder (a hard link: no copy of 98 MB)."""
    folder = runtime.settings.data_dir / "models" / "import"
    folder.mkdir(parents=True, exist_ok=True)
    os.link(downloaded, folder / downloaded.name)
    return folder / downloaded.name


def test_shipped_models_are_listed_with_their_state(ai_admin: TestClient) -> None:
    listed = {m["name"]: m for m in ai_admin.get("/api/ai/models").json()}
    assert listed["smollm2"]["default"] is True and listed["smollm2"]["installed"] is False
    assert listed["smollm2"]["role"] == "chat" and listed["smollm2"]["size_bytes"] > 50_000_000


def test_an_admin_adds_a_gguf_from_the_box_and_chats_with_it(ai_admin: TestClient, a_gguf: Path) -> None:
    added = ai_admin.post("/api/ai/models", json={"name": "my-smol", "path": str(a_gguf)})
    assert added.status_code == 201, added.text
    assert (added.json()["origin"], added.json()["installed"]) == ("custom", True)
    assert "local/my-smol" in {m["id"] for m in ai_admin.get("/v1/models").json()["data"]}
    reply = ai_admin.post(
        "/v1/chat/completions",
        json={"model": "local/my-smol", "messages": [{"role": "user", "content": "Hello!"}], "max_tokens": 5},
    )
    assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
    assert ai_admin.delete("/api/ai/models/my-smol").status_code == 204
    assert "my-smol" not in {m["name"] for m in ai_admin.get("/api/ai/models").json()}


def test_bad_files_are_refused_with_a_reason(ai_admin: TestClient, a_gguf: Path, tmp_path: Path) -> None:
    not_gguf = a_gguf.parent / "notes.gguf"
    not_gguf.write_text("just some text, not a model")
    refused = ai_admin.post("/api/ai/models", json={"name": "bad", "path": str(not_gguf)})
    assert refused.status_code == 400 and "GGUF" in refused.json()["detail"]
    wrong_hash = ai_admin.post("/api/ai/models", json={"name": "bad", "path": str(a_gguf), "sha256": "0" * 64})
    assert wrong_hash.status_code == 400 and "sha256" in wrong_hash.json()["detail"]
    nowhere = ai_admin.post("/api/ai/models", json={"name": "bad", "url": "https://\u00ca\x0f!"})
    assert nowhere.status_code == 400 and "web address" in nowhere.json()["detail"]
    neither = ai_admin.post("/api/ai/models", json={"name": "bad"})
    assert neither.status_code == 400
    assert "bad" not in {m["name"] for m in ai_admin.get("/api/ai/models").json()}


def test_members_cannot_add_or_remove_models(ai_admin: TestClient, runtime: Runtime, a_gguf: Path) -> None:
    add_member(ai_admin, "bob", "bob's password")
    with second_client(runtime) as bob:
        sign_in(bob, "bob", "bob's password")
        assert bob.get("/api/ai/models").status_code == 200
        assert bob.post("/api/ai/models", json={"name": "x", "path": str(a_gguf)}).status_code == 403
        assert bob.delete("/api/ai/models/smollm2").status_code == 403
