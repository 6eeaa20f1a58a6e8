"""Moving model bytes around while hashing them, with progress."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from appliance.ai.models.progress import Progress, ProgressFactory

__all__ = ["CHUNK", "sha256_file", "copy_hashing"]

CHUNK = 1 << 20


def sha256_file(path: Path, progress: ProgressFactory, label: str = "") -> str:
    digest = hashlib.sha256()
    bar = progress(label or f"hashing {path.name}", path.stat().st_size)
    with open(path, "rb") as source:
        for block in _blocks(source, bar):
            digest.update(block)
    bar.close()
    return digest.hexdigest()


def copy_hashing(sources: Iterable[BinaryIO], target: Path, bar: Progress) -> tuple[str, int]:
    """Write the sources one after another into `target`; return its sha256 and size."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        for source in sources:
            for block in _blocks(source, bar):
                digest.update(block)
                out.write(block)
                size += len(block)
    return digest.hexdigest(), size


def _blocks(source: BinaryIO, bar: Progress) -> Iterable[bytes]:
    while block := source.read(CHUNK):
        bar.advance(len(block))
        yield block
