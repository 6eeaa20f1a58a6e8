"""An admin's own GGUF chat model: vetted, hashed, copied in and registered like a shipped one.

Every rule about what may be added lives here, for the API and `atom models add` alike:
the name (simple, new, never one of Atom's own entries in `models/`), either a file or a
URL, the file only from the import folder (`ai.model_import_dir`, else
`<data_dir>/models/import`; a symlink counts where it leads), the URL only within the
download limits and Atom's outbound rules, and a GGUF header that holds together.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from appliance.ai.models.download import DownloadLimits, download, file_name_of
from appliance.ai.models.files import copy_hashing
from appliance.ai.models.gguf import GGUFInfo, read_gguf_header, read_gguf_info
from appliance.ai.models.install import record_files, swap_in
from appliance.ai.models.installed import (
    IMPORT_FOLDER,
    InstalledModel,
    is_reserved,
    models_dir,
    read_installed,
    update_installed,
)
from appliance.ai.models.manifest import Manifest
from appliance.ai.models.progress import ProgressFactory, no_progress
from appliance.ai.outbound import OutboundRules
from appliance.clock import now
from appliance.errors import Conflict, InvalidInput
from appliance.settings import Settings

__all__ = ["add_custom_model", "import_rules", "ImportRules", "CHAT_TEMPLATE_FILE"]

CHAT_TEMPLATE_FILE = "chat_template.jinja"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True, kw_only=True)
class ImportRules:
    """Where an admin's model may come from: a file in `folder`, or a download within `download`."""

    folder: Path
    download: DownloadLimits


def import_rules(settings: Settings) -> ImportRules:
    ai = settings.ai
    folder = Path(ai.model_import_dir) if ai.model_import_dir else models_dir(settings.data_dir) / IMPORT_FOLDER
    targets = OutboundRules.for_box(settings).targets(household=True)  # admins only: the LAN, never Atom
    limits = DownloadLimits(targets=targets, max_bytes=ai.model_download_max_bytes, seconds=ai.model_download_seconds)
    return ImportRules(folder=folder, download=limits)


def add_custom_model(
    data_dir: Path,
    name: str,
    manifest: Manifest,
    *,
    rules: ImportRules,
    file: str | Path | None = None,
    url: str | None = None,
    chat_template: str | None = None,
    expected_sha256: str | None = None,
    progress: ProgressFactory = no_progress,
) -> InstalledModel:
    """Register the GGUF `file` (in the import folder) or downloaded from `url` as the chat model `name`."""
    if (file is None) == (url is None):
        raise InvalidInput("give either a file in the import folder (path) or a web address (url)")
    _check_name(data_dir, name, manifest)
    _check_sha256_form(expected_sha256)
    source = _importable(file, rules.folder) if file is not None else None
    staging = models_dir(data_dir) / f".staging-{name}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        gguf, sha256, info = _take_in(staging, source, url, rules, progress)
        _check_sha256(gguf.name, sha256, expected_sha256)
        hashes = {gguf.name: sha256}
        if chat_template is not None:
            hashes[CHAT_TEMPLATE_FILE] = _write_template(staging, chat_template)
        folder = swap_in(staging, models_dir(data_dir) / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _register(data_dir, name, folder, hashes, info, source=str(source or url))


def _take_in(
    staging: Path, file: Path | None, url: str | None, rules: ImportRules, progress: ProgressFactory
) -> tuple[Path, str, GGUFInfo]:
    if file is not None:
        with _open_plain(file) as opened:
            info = read_gguf_header(opened, file.name)  # vet before copying a large file
            opened.seek(0)
            target = staging / (file.name if file.name.endswith(".gguf") else "model.gguf")
            bar = progress(f"copying {file.name}", os.fstat(opened.fileno()).st_size)
            sha256, _ = copy_hashing([opened], target, bar)
            bar.close()
        return target, sha256, info
    target = staging / file_name_of(str(url))
    sha256 = download(str(url), target, progress, rules.download)
    return target, sha256, read_gguf_info(target)


def _importable(given: str | Path, folder: Path) -> Path:
    """The file `given` names in the import folder (a relative path is taken from there).

    Where a symlink leads is what counts, and nothing outside the folder is looked at: a refusal
    says the same whether or not the file exists."""
    try:
        folder = folder.resolve()
        path = Path(given)
        resolved = (path if path.is_absolute() else folder / path).resolve()
    except (OSError, ValueError):  # a NUL byte, a path too long
        raise InvalidInput("that is not a usable file path") from None
    if resolved == folder or not resolved.is_relative_to(folder):
        with suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)  # so the admin has somewhere to put the file
        raise InvalidInput(f"Atom adds model files only from {folder}: copy the .gguf file there first")
    if not resolved.is_file():
        raise InvalidInput(f"there is no file {resolved.relative_to(folder)} in {folder}")
    return resolved


def _open_plain(path: Path) -> BinaryIO:
    """Open a regular file without following a symlink put there since it was checked."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InvalidInput(f"cannot open {path.name} ({exc.strerror})") from None
    opened = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        opened.close()
        raise InvalidInput(f"{path.name} is not a plain file")
    return opened


def _check_name(data_dir: Path, name: str, manifest: Manifest) -> None:
    if not _NAME.fullmatch(name) or is_reserved(name):
        raise InvalidInput(
            f"{name[:80]!r} is not a usable model name: use up to 64 lower-case letters, digits, '.', '-' and "
            "'_', starting with a letter or digit, not ending in .json, .tmp or .lock, and not 'import'"
        )
    if name in manifest.models:
        raise Conflict(f"{name!r} is the name of a shipped model; choose another name")
    if name in read_installed(data_dir).models:
        raise Conflict(f"a model named {name!r} is already installed; remove it first: `atom models remove {name}`")


def _check_sha256_form(expected: str | None) -> None:
    if expected is not None and not _SHA256.fullmatch(expected):
        raise InvalidInput("sha256 must be 64 hexadecimal digits")


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
        license=info.license,
        context=info.context_length,
    )
    with update_installed(data_dir) as state:
        state.models[name] = model
    return model
