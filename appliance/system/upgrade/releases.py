"""Releases side by side: `<root>/releases/<tag>/` each with its own `.venv`, `<root>/current` the one that runs.

Switching is one `rename` of a fresh symlink over `current`, so at every instant `current` names a
whole release: the old one or the new one, never half of either.
"""

from __future__ import annotations

import os
import re
import shutil
import tarfile
from pathlib import Path

from appliance.errors import Conflict, InvalidInput

__all__ = ["Releases", "TAG"]

TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
# What a release never carries over from the folder it was made from.
_LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "data", ".make", "__pycache__", "test-artifacts", "*.pyc")


class Releases:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "releases"
        self.current_link = root / "current"

    def current(self) -> Path:
        if not self.current_link.is_symlink():
            raise Conflict(f"{self.current_link} is not a release link: install Atom with systemd/install.sh first")
        return self.current_link.resolve()

    def path(self, tag: str) -> Path:
        if not TAG.match(tag):
            raise InvalidInput(f"a release tag is letters, digits and . _ + - (at most 64): {tag!r}")
        return self.folder / tag

    def stage(self, source: Path, tag: str) -> Path:
        """Copy (or unpack) `source` to `releases/<tag>`, whole or not at all."""
        target = self.path(tag)
        if target.exists():
            raise Conflict(f"release {tag} already exists at {target}: choose another tag")
        partial = target.with_name(f".{tag}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            _unpack(source, partial) if source.is_file() else shutil.copytree(source, partial, ignore=_LEFT_OUT)
            if not (partial / "pyproject.toml").is_file():
                raise InvalidInput(f"{source} is not an Atom release (no pyproject.toml at its top)")
            partial.rename(target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return target

    def switch(self, release: Path) -> None:
        """Point `current` at `release` atomically (a new link renamed over the old)."""
        fresh = self.root / ".current.new"
        fresh.unlink(missing_ok=True)
        fresh.symlink_to(release.relative_to(self.root))
        os.replace(fresh, self.current_link)

    def remove(self, release: Path) -> None:
        if release != self.current():
            shutil.rmtree(release, ignore_errors=True)

    def prune(self, keep: int) -> list[Path]:
        """Delete all but the newest `keep` releases; never the current one."""
        current = self.current()
        found = sorted((p for p in self.folder.iterdir() if p.is_dir() and TAG.match(p.name)), key=_age, reverse=True)
        doomed = [p for p in found[keep:] if p != current]
        for path in doomed:
            shutil.rmtree(path, ignore_errors=True)
        return doomed


def _age(path: Path) -> float:
    return path.stat().st_mtime


def _unpack(archive: Path, target: Path) -> None:
    """A release tarball, its one top folder (if it has one) becoming `target`; nothing may land outside."""
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")  # 'data' refuses absolute paths, .. and device files
    entries = list(target.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        for child in inner.iterdir():
            child.rename(target / child.name)
        inner.rmdir()
