"""The wake model ships as a file in this repository: `atom models install` copies it, checks its
sha256 like any wheel's file, and refuses a manifest entry that reaches outside the models folder."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import msgspec
import pytest

from appliance.ai.models import install_model, is_installed, load_manifest, read_installed, verify_model
from appliance.ai.models.installed import update_installed
from appliance.ai.models.manifest import ModelFile, manifest_path
from appliance.errors import ConfigError, ModelMissing
from appliance.voice.wake import load_wake_model


def test_atom_wake_installs_from_the_repository_by_default(tmp_path: Path) -> None:
    manifest = load_manifest()
    spec = manifest.get("atom-wake")
    assert spec in manifest.defaults() and spec.role == "wake" and not spec.package
    assert install_model(tmp_path, spec, tmp_path / "no-wheels-needed") is True
    installed = read_installed(tmp_path).models["atom-wake"]
    assert installed.source == spec.origin and installed.source.startswith("repository:")
    assert verify_model(tmp_path, installed) == [] and is_installed(tmp_path, spec)
    assert not (tmp_path / "no-wheels-needed").exists()  # nothing was downloaded
    assert install_model(tmp_path, spec, tmp_path) is False  # already there


def test_a_repository_file_that_does_not_match_the_manifest_is_refused(tmp_path: Path) -> None:
    spec = load_manifest().get("atom-wake")
    wrong = msgspec.structs.replace(spec.files[0], sha256="0" * 64)
    with pytest.raises(ModelMissing, match="does not match the manifest"):
        install_model(tmp_path, msgspec.structs.replace(spec, files=[wrong]), tmp_path)
    assert "atom-wake" not in read_installed(tmp_path).models


def test_a_changed_shipped_file_makes_the_installed_model_outdated(tmp_path: Path) -> None:
    spec = load_manifest().get("atom-wake")
    install_model(tmp_path, spec, tmp_path)
    newer = msgspec.structs.replace(spec, files=[msgspec.structs.replace(spec.files[0], sha256="1" * 64)])
    assert spec.origin != newer.origin and not is_installed(tmp_path, newer)


@pytest.mark.parametrize("path", ["../../pyproject.toml", "/etc/passwd"])
def test_a_repository_path_must_stay_inside_the_models_folder(path: str) -> None:
    with pytest.raises(ValueError, match="inside the models folder"):
        ModelFile(path="x.onnx", repository=path, sha256="0" * 64, size=1)


def test_a_package_model_still_needs_its_package(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        '[models.x]\nrole = "wake"\ntitle = "x"\nlicense = "MIT"\n'
        '[[models.x.files]]\npath = "a"\nsource = "pkg/a"\nsha256 = "00"\nsize = 1\n'
    )
    with pytest.raises(ConfigError, match="need `package` and `version`"):
        load_manifest(manifest)


def test_the_shipped_files_are_where_the_manifest_says() -> None:
    for file in load_manifest().get("atom-wake").files:
        shipped = manifest_path().parent / file.repository
        assert shipped.is_file() and shipped.stat().st_size == file.size


def test_every_file_shipped_in_the_repository_goes_into_the_wheel() -> None:
    import tomllib

    root = manifest_path().parent.parent
    wheel = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    for spec in load_manifest().models.values():
        for file in spec.files:
            if file.repository:
                assert wheel["force-include"].get(f"models/{file.repository}") == f"appliance/models/{file.repository}"


def test_a_wake_model_installed_by_an_older_atom_is_not_loaded_half(
    wake_models: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An install from before the verifier and the breath classifier: no detector (so no crash in
    every listener), and the log says how to bring it up to date."""
    data = tmp_path / "data"
    shutil.copytree(wake_models, data)
    with update_installed(data) as installed:
        wake = installed.models["atom-wake"]
        kept = [f for f in wake.files if f.path in ("atom-wake.onnx", "atom-wake-bank.npz")]
        for gone in {f.path for f in wake.files} - {f.path for f in kept}:
            (wake.directory(data) / gone).unlink()
        installed.models["atom-wake"] = msgspec.structs.replace(wake, files=kept, source="repository:older")
    assert load_wake_model(wake_models) is not None  # the up-to-date one loads
    with caplog.at_level(logging.WARNING):
        assert load_wake_model(data) is None
    assert "run `atom models install atom-wake`" in caplog.text
