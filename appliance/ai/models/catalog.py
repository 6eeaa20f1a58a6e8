"""The catalog: every shipped model and every admin-added one, with whether it is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import msgspec

from appliance.ai.models.installed import read_installed
from appliance.ai.models.manifest import load_manifest

__all__ = ["ModelState", "model_states"]


class ModelState(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    role: str
    origin: Literal["manifest", "custom"]  # shipped with Atom, or an admin's own GGUF
    installed: bool
    default: bool  # installed by `atom models install --default`
    size_bytes: int
    license: str


def model_states(data_dir: Path) -> list[ModelState]:
    """Shipped models by name, then the custom ones (reads the manifest and the installed record)."""
    installed = read_installed(data_dir).models
    shipped = [
        ModelState(
            name=name,
            role=spec.role,
            origin="manifest",
            installed=name in installed,
            default=spec.default,
            size_bytes=spec.size,
            license=spec.license,
        )
        for name, spec in sorted(load_manifest().models.items())
    ]
    custom = [
        ModelState(
            name=name,
            role=model.role,
            origin="custom",
            installed=True,
            default=False,
            size_bytes=model.size,
            license=model.license,
        )
        for name, model in sorted(installed.items())
        if model.origin == "custom"
    ]
    return shipped + custom
