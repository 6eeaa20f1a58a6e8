"""Finds tool plugins by scanning `appliance/assistant/tools/`; the core never imports one by name."""

from __future__ import annotations

import functools
import importlib
import tomllib
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import msgspec

from appliance.assistant.context import ToolContext, ToolReply

__all__ = ["Tool", "ToolManifest", "tools", "tool", "TOOLS_PACKAGE"]

TOOLS_PACKAGE = "appliance.assistant.tools"
Run = Callable[[ToolContext, dict[str, Any]], Awaitable[ToolReply]]


class ToolManifest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    description: str
    confirm: bool = False
    sentences: list[str] = []
    parameters: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "object", "properties": {}})


class Tool(msgspec.Struct, frozen=True, kw_only=True):
    manifest: ToolManifest
    run: Run

    @property
    def name(self) -> str:
        return self.manifest.name


@functools.cache
def tools() -> dict[str, Tool]:
    """Every tool folder, by name."""
    found: dict[str, Tool] = {}
    for folder in resources.files(TOOLS_PACKAGE).iterdir():
        if folder.is_dir() and not folder.name.startswith("_") and folder.joinpath("manifest.toml").is_file():
            found[folder.name] = _load(folder.name, folder.joinpath("manifest.toml").read_text())
    return dict(sorted(found.items()))


def tool(name: str) -> Tool:
    found = tools().get(name)
    if found is None:
        raise KeyError(f"no tool named {name!r}")
    return found


def _load(folder: str, manifest_text: str) -> Tool:
    manifest = msgspec.convert(tomllib.loads(manifest_text), ToolManifest)
    if manifest.name != folder:
        raise ValueError(f"tool folder {folder!r} declares the name {manifest.name!r}")
    module = importlib.import_module(f"{TOOLS_PACKAGE}.{folder}.tool")
    return Tool(manifest=manifest, run=module.run)
