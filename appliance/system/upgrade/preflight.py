"""Before an upgrade touches anything: room on every disk it writes to, and no job half done."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["tree_bytes", "space_problems", "running_job_names"]

_MIB = 1024 * 1024


def tree_bytes(path: Path) -> int:
    """Bytes the files under `path` take (symlinks not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
    return total


def space_problems(needs: dict[Path, int], free: Callable[[Path], int] | None = None) -> list[str]:
    """What each disk lacks: needs on one file system are added up (the release and the backup may share one)."""
    measure = free or (lambda p: shutil.disk_usage(p).free)
    by_disk: dict[int, tuple[Path, int]] = {}
    for path, wanted in needs.items():
        existing = _existing(path)
        device = existing.stat().st_dev
        first, summed = by_disk.get(device, (existing, 0))
        by_disk[device] = (first, summed + wanted)
    problems = []
    for path, wanted in by_disk.values():
        have = measure(path)
        if have < wanted:
            problems.append(f"{path} has {have // _MIB} MiB free; the upgrade needs {wanted // _MIB} MiB there")
    return problems


def running_job_names(answer: list[dict[str, Any]]) -> list[str]:
    """The control API's `/jobs/running` answer, as the job names to tell the person."""
    return [str(run.get("name", "?")) for run in answer]


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
