"""Finds connector plugins by scanning `services/`, so the core never imports one by name.

A connector is a folder `services/<name>/` holding `manifest.toml` (see manifest.py),
`api.py` (the one place the service's JSON becomes Atom's types), one module per capability
it syncs, and `connector.py`, which implements `Connector` (base.py) as module functions.
"""

from __future__ import annotations

import functools
import importlib
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, cast

import msgspec

from appliance.connectors.base import Connector
from appliance.connectors.manifest import ConnectorManifest
from appliance.errors import NotFound

if TYPE_CHECKING:
    from appliance.connectors.http import RateReader

__all__ = ["SERVICES_PACKAGE", "manifests", "manifest", "plugin", "rate_reader"]

SERVICES_PACKAGE = "appliance.connectors.services"
_MANIFEST = "manifest.toml"


def manifests() -> dict[str, ConnectorManifest]:
    """Every installed connector's manifest, by name (read once per process)."""
    return dict(_discover())


def manifest(name: str) -> ConnectorManifest:
    found = _discover().get(name)
    if found is None:
        raise NotFound(f"There is no connector called {name[:60]!r}.")
    return found


def plugin(name: str) -> Connector:
    """The connector's `connector.py`, checked against the contract."""
    module = importlib.import_module(f"{SERVICES_PACKAGE}.{manifest(name).name}.connector")
    if not isinstance(module, Connector):
        raise TypeError(f"{name}/connector.py does not implement appliance.connectors.base.Connector")
    return cast(Connector, module)


def rate_reader(name: str) -> RateReader | None:
    """The connector's own `rate_limited(response)`, if it reads its service's rate limits itself."""
    found = getattr(plugin(name), "rate_limited", None)
    return found if callable(found) else None


@functools.cache
def _discover() -> dict[str, ConnectorManifest]:
    found = {}
    for folder in resources.files(SERVICES_PACKAGE).iterdir():
        if folder.is_dir() and folder.name[0] not in "_." and folder.joinpath(_MANIFEST).is_file():
            found[folder.name] = _load(folder)
    return dict(sorted(found.items()))


def _load(folder: Traversable) -> ConnectorManifest:
    raw = tomllib.loads(folder.joinpath(_MANIFEST).read_text(encoding="utf-8"))
    try:
        parsed = msgspec.convert(raw, ConnectorManifest)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{folder.name}/{_MANIFEST}: {exc}") from exc
    if parsed.name != folder.name:
        raise ValueError(f"connector folder {folder.name!r} has a manifest named {parsed.name!r}")
    parsed.check()
    return parsed
