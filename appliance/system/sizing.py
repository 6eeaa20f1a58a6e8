"""DuckDB sized to the box it runs on: a Raspberry Pi shares 1–8 GB between the models and the database.

DuckDB's own defaults (80% of RAM, a thread per core) suit a database server, not an appliance
whose chat model, embeddings and speech need most of the memory and cores.
"""

from __future__ import annotations

import os
from pathlib import Path

from appliance.settings import StorageSettings

__all__ = ["duckdb_limits", "memory_limit_mb", "database_threads", "total_memory_bytes"]

_MIN_MB, _MAX_MB = 128, 1024


def duckdb_limits(
    storage: StorageSettings, total_bytes: int | None = None, cores: int | None = None
) -> dict[str, str | int]:
    """DuckDB's `memory_limit` and `threads` from the settings, or from the box when they are 0."""
    total = total_memory_bytes() if total_bytes is None else total_bytes
    return {
        "memory_limit": f"{memory_limit_mb(storage.memory_mb, total)}MB",
        "threads": database_threads(storage.threads, _usable_cores() if cores is None else cores),
    }


def memory_limit_mb(setting: int, total_bytes: int) -> int:
    """The setting, or an eighth of the box's RAM kept between 128 and 1024 MiB."""
    if setting:
        return setting
    return max(_MIN_MB, min(_MAX_MB, total_bytes // 8 // (1024 * 1024)))


def database_threads(setting: int, cores: int) -> int:
    return setting or max(1, min(2, cores // 2))


def total_memory_bytes() -> int:
    """The box's RAM (`MemTotal`; a cgroup limit, where one is set, is what the kernel enforces)."""
    pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    return min(pages * page_size, _cgroup_limit() or pages * page_size)


def _cgroup_limit() -> int | None:
    try:
        text = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
