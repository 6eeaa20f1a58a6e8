"""Is a model there and intact? `verify` hashes everything; `require_model` is the loaders' check.

`require_model` is cheap on purpose: it hashes a file again only when its size or mtime
changed since it was last verified, so loading a model does not cost a full read of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import msgspec

from appliance.ai.models.files import sha256_file
from appliance.ai.models.installed import InstalledFile, InstalledModel, read_installed, update_installed
from appliance.ai.models.manifest import ModelRole
from appliance.ai.models.progress import ProgressFactory, no_progress
from appliance.errors import ModelMissing

__all__ = ["verify_model", "verify_installed", "quick_check", "require_model", "fix_hint"]


def verify_model(data_dir: Path, model: InstalledModel, progress: ProgressFactory = no_progress) -> list[str]:
    """Hash every file; return what is wrong (an empty list: the model is intact)."""
    return [p for f in model.files if (p := _check_file(model.path(data_dir, f), f, progress, full=True))]


def verify_installed(data_dir: Path, model: InstalledModel, progress: ProgressFactory = no_progress) -> list[str]:
    """`verify_model`, remembering damage: later quick checks (loaders, install) see it too."""
    problems = verify_model(data_dir, model, progress)
    if problems:
        _forget_verification(data_dir, model.name)
    return problems


def quick_check(data_dir: Path, model: InstalledModel) -> list[str]:
    problems = [p for f in model.files if (p := _check_file(model.path(data_dir, f), f, no_progress, full=False))]
    if not problems and _touched(data_dir, model):
        _remember_verification(data_dir, model.name)  # hashed again and intact: no need next time
    return problems


def require_model(data_dir: Path, name: str, role: ModelRole | None = None) -> InstalledModel:
    """The installed model `name`, or ModelMissing naming the command that fixes it."""
    model = read_installed(data_dir).models.get(name)
    if model is None:
        raise ModelMissing(f"the model {name!r} is not installed: {fix_hint(name)}")
    if role is not None and model.role != role:
        raise ModelMissing(f"the model {name!r} is a {model.role} model, not a {role} model")
    problems = quick_check(data_dir, model)
    if problems:
        raise ModelMissing(f"the model {name!r} is damaged ({'; '.join(problems)}): {fix_hint(name, model)}")
    return model


def fix_hint(name: str, model: InstalledModel | None = None) -> str:
    if model is not None and model.origin == "custom":
        return f"run `atom models remove {name}`, then `atom models add {name} --file <the .gguf file>` again"
    return f"run `atom models install {name}`"


def _check_file(path: Path, expected: InstalledFile, progress: ProgressFactory, full: bool) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return f"{expected.path} is missing"
    if stat.st_size != expected.size:
        return f"{expected.path} has {stat.st_size} bytes, expected {expected.size}"
    if not full and stat.st_mtime_ns == expected.mtime_ns:
        return ""
    if sha256_file(path, progress, f"verifying {expected.path}") != expected.sha256:
        return f"{expected.path} does not match its sha256"
    return ""


def _touched(data_dir: Path, model: InstalledModel) -> bool:
    return any(model.path(data_dir, f).stat().st_mtime_ns != f.mtime_ns for f in model.files)


def _forget_verification(data_dir: Path, name: str) -> None:
    _set_mtimes(data_dir, name, lambda path: -1)


def _remember_verification(data_dir: Path, name: str) -> None:
    _set_mtimes(data_dir, name, lambda path: path.stat().st_mtime_ns)


def _set_mtimes(data_dir: Path, name: str, mtime_of: Callable[[Path], int]) -> None:
    with update_installed(data_dir) as state:
        model = state.models.get(name)
        if model is not None:
            files = [msgspec.structs.replace(f, mtime_ns=mtime_of(model.path(data_dir, f))) for f in model.files]
            state.models[name] = msgspec.structs.replace(model, files=files)
