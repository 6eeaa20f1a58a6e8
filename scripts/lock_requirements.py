"""Write requirements.lock: every package Atom needs at run time, pinned to the version installed.

    .venv/bin/python scripts/lock_requirements.py [OUT]     (default: requirements.lock)

Walks Atom's dependencies in pyproject.toml (no extras: the test tools stay out) through the installed
distributions, evaluating each marker for this Python, and pins what it finds. Run it after a
`make setup` that passed the tests; `atom upgrade` builds each release's venv from this file
(scripts/release-venv.sh), so a release runs the versions it was tested with.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
# Built by scripts/llama-wheel.sh from source (no wheel on PyPI), so not pinned here; its own
# dependencies (diskcache, numpy, jinja2, ...) are, or a release venv or the image would lack them.
BUILT_LOCALLY = {"llama-cpp-python"}


def pins(pyproject: Path = PYPROJECT) -> dict[str, str]:
    """Installed versions of Atom's run-time dependencies and theirs (read from pyproject, not from
    the installed metadata, which an editable install leaves as it was when first installed)."""
    found: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()  # a package asked for again with other extras brings more
    roots = [Requirement(r) for r in tomllib.loads(pyproject.read_text())["project"]["dependencies"]]
    roots += [Requirement(name) for name in BUILT_LOCALLY]  # not pinned, but what they need is
    waiting = [r for r in roots if _applies(r, set())]
    while waiting:
        wanted = waiting.pop()
        name = canonicalize_name(wanted.name)
        if (name, frozenset(wanted.extras)) in seen:
            continue
        seen.add((name, frozenset(wanted.extras)))
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            raise SystemExit(f"lock_requirements: {name} is required but not installed: run make setup first") from None
        if name not in BUILT_LOCALLY:
            found[name] = dist.version
        waiting += [Requirement(r) for r in dist.requires or [] if _applies(Requirement(r), wanted.extras)]
    return found


def _applies(requirement: Requirement, extras: set[str]) -> bool:
    """Whether `requirement` (from a package asked for with `extras`) applies on this Python."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in (extras or {""}))


def render(found: dict[str, str]) -> str:
    head = "# Atom's run-time packages, pinned: scripts/lock_requirements.py wrote this; do not edit by hand.\n"
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(found.items()))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")
    out.write_text(render(pins()))
    print(f"wrote {out}")
