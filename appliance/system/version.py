"""Atom's own version, as installed."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["atom_version"]


def atom_version() -> str:
    try:
        return version("atom-appliance")
    except PackageNotFoundError:
        return "unknown"
