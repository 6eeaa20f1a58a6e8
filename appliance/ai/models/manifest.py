"""The shipped model manifest (`models/manifest.toml`) as typed values."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

import msgspec

from appliance.errors import ConfigError, NotFound
from appliance.resources import resource_path

__all__ = [
    "ModelRole",
    "FilePart",
    "ModelFile",
    "ModelSpec",
    "Manifest",
    "load_manifest",
    "manifest_path",
]

ModelRole = Literal["chat", "stt", "tts", "wake-features", "wake", "embeddings"]


class FilePart(msgspec.Struct, frozen=True, kw_only=True):
    """One piece of a file: its path inside the wheel of `package==version`."""

    source: str
    package: str = ""  # empty: the model's package
    version: str = ""  # empty: the model's version


class ModelFile(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    sha256: str
    size: int
    source: str = ""
    member: str = ""  # a file inside the zip archive at `source`
    parts: list[FilePart] = []
    repository: str = ""  # a file shipped in Atom's own `models/` folder, relative to it

    def __post_init__(self) -> None:
        if sum(map(bool, (self.source, self.parts, self.repository))) != 1:
            raise ValueError(f"{self.path}: give one of `source`, `parts` or `repository`")
        if self.repository and (Path(self.repository).is_absolute() or ".." in Path(self.repository).parts):
            raise ValueError(f"{self.path}: `repository` must stay inside the models folder")
        if self.member and self.parts:
            raise ValueError(f"{self.path}: `member` needs a single `source`")
        if Path(self.path).is_absolute() or ".." in Path(self.path).parts:
            raise ValueError(f"{self.path}: must stay inside the model's folder")


class ModelSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""  # filled in from the table key
    role: ModelRole
    title: str
    license: str
    package: str = ""  # empty when every file comes from the repository
    version: str = ""
    files: list[ModelFile]
    default: bool = False
    context: int | None = None

    def __post_init__(self) -> None:
        if not (self.package and self.version) and not all(f.repository for f in self.files):
            raise ValueError(f"{self.name}: files from a package need `package` and `version`")

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def origin(self) -> str:
        """Where the files come from, as recorded on install: a changed origin means outdated."""
        if self.package:
            return f"{self.package}=={self.version}"
        return "repository:" + ",".join(f.sha256[:12] for f in self.files)

    def pieces(self, file: ModelFile) -> list[FilePart]:
        """The file's parts with package and version filled in."""
        parts = file.parts or [FilePart(source=file.source)]
        return [
            FilePart(source=p.source, package=p.package or self.package, version=p.version or self.version)
            for p in parts
        ]


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    models: dict[str, ModelSpec]

    def get(self, name: str) -> ModelSpec:
        spec = self.models.get(name)
        if spec is None:
            known = ", ".join(sorted(self.models))
            raise NotFound(f"no model named {name!r} in the manifest (known: {known})")
        return spec

    def defaults(self) -> list[ModelSpec]:
        return [m for m in self.models.values() if m.default]


def manifest_path() -> Path:
    return resource_path("models") / "manifest.toml"


def load_manifest(path: Path | None = None) -> Manifest:
    path = path or manifest_path()
    try:
        raw = tomllib.loads(path.read_text())
        for name, table in raw.get("models", {}).items():
            table["name"] = name
        return msgspec.convert(raw, Manifest)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise ConfigError(f"the model manifest {path} is unreadable: {exc}") from None
