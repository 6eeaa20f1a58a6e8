"""An admin's own GGUF chat model: vetted, hashed, copied in and registered like a shipped one."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from appliance.ai.models.download import download, file_name_of
from appliance.ai.models.files import copy_hashing
from appliance.ai.models.gguf import GGUFInfo, read_gguf_info
from appliance.ai.models.install import record_files, swap_in
from appliance.ai.models.installed import InstalledModel, models_dir, read_installed, update_installed
from appliance.ai.models.manifest import Manifest
from appliance.ai.models.progress import ProgressFactory, no_progress
from appliance.clock import now
from appliance.errors import Conflict, InvalidInput

__all__ = ["add_custom_model", "CHAT_TEMPLATE_FILE"]

CHAT_TEMPLATE_FILE = "chat_template.jinja"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def add_custom_model(
    data_dir: Path,
    name: str,
    manifest: Manifest,
    *,
    file: Path | None = None,
    url: str | None = None,
    chat_template: str | None = None,
    expected_sha256: str | None = None,
    progress: ProgressFactory = no_progress,
) -> InstalledModel:
    """Register the GGUF at `file` (or downloaded from `url`) as the chat model `name`."""
    if (file is None) == (url is None):
        raise InvalidInput("give either a file or a URL")
    _check_name(data_dir, name, manifest)
    staging = models_dir(data_dir) / f".staging-{name}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        gguf, sha256, info = _take_in(staging, file, url, progress)
        _check_sha256(gguf.name, sha256, expected_sha256)
        hashes = {gguf.name: sha256}
        if chat_template is not None:
            hashes[CHAT_TEMPLATE_FILE] = _write_template(staging, chat_template)
        folder = swap_in(staging, models_dir(data_dir) / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _register(data_dir, name, folder, hashes, info, source=str(file.resolve()) if file else str(url))


def _take_in(
    staging: Path, file: Path | None, url: str | None, progress: ProgressFactory
) -> tuple[Path, str, GGUFInfo]:
    if file is not None:
        info = read_gguf_info(_existing(file))  # vet before copying a large file
        target = staging / file.name
        with open(file, "rb") as source:
            bar = progress(f"copying {file.name}", file.stat().st_size)
            sha256, _ = copy_hashing([source], target, bar)
            bar.close()
        return target, sha256, info
    target = staging / file_name_of(str(url))
    sha256 = download(str(url), target, progress)
    return target, sha256, read_gguf_info(target)


def _existing(file: Path) -> Path:
    if not file.is_file():
        raise InvalidInput(f"{file} is not a file")
    return file


def _check_name(data_dir: Path, name: str, manifest: Manifest) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"{name!r} is not a usable model name: use lower-case letters, digits, '.', '-' and '_'")
    if name in manifest.models:
        raise Conflict(f"{name!r} is the name of a shipped model; choose another name")
    if name in read_installed(data_dir).models:
        raise Conflict(f"a model named {name!r} is already installed; remove it first: `atom models remove {name}`")


def _check_sha256(file_name: str, actual: str, expected: str | None) -> None:
    if expected and actual != expected.lower():
        raise InvalidInput(f"{file_name} has sha256 {actual}, not the expected {expected}; it was not added")


def _write_template(staging: Path, template: str) -> str:
    data = template.encode("utf-8")
    (staging / CHAT_TEMPLATE_FILE).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _register(
    data_dir: Path, name: str, folder: Path, hashes: dict[str, str], info: GGUFInfo, source: str
) -> InstalledModel:
    model = InstalledModel(
        name=name,
        role="chat",
        origin="custom",
        source=source,
        files=record_files(folder, hashes),
        installed_at=now().isoformat(timespec="seconds"),
        license=str(info.metadata.get("general.license", "")),
        context=info.context_length,
    )
    with update_installed(data_dir) as state:
        state.models[name] = model
    return model
