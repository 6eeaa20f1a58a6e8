"""The backup folder: archive names, the list, and keeping the newest N.

A backup is written as `.atom-backup-<stamp>.partial` and renamed to `atom-backup-<stamp>.tar.age`
only once complete, so a complete name is a complete archive. Only names of this shape are ever
listed or deleted: the folder may be a USB disk holding other things too.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import msgspec

from appliance.errors import ServiceUnavailable

__all__ = ["BackupFile", "open_folder", "new_names", "list_backups", "last_good", "prune"]

_STAMP = "%Y%m%dT%H%M%SZ"
_COMPLETE = re.compile(r"atom-backup-(\d{8}T\d{6}Z)(?:-(\d+))?\.tar\.age")
_PARTIAL = re.compile(r"\.atom-backup-(\d{8}T\d{6}Z)(?:-(\d+))?\.partial")


class BackupFile(msgspec.Struct, frozen=True, kw_only=True):
    file: str
    size_bytes: int
    created_at: datetime  # UTC, naive, as every time Atom shows
    ok: bool  # complete; False: being written now, or cut short (a crash, a full disk)


def open_folder(folder: Path, make_parents: bool) -> Path:
    """The folder, made private if Atom creates it; ServiceUnavailable when it cannot be written.

    Only the default folder is made with its parents: a folder on a USB disk whose parent is
    missing most likely means the disk is not mounted, and the backup must not fill the SD card."""
    if not make_parents and not folder.parent.is_dir():
        raise ServiceUnavailable(f"the backup folder's parent {folder.parent} is missing: is the backup disk mounted?")
    try:
        folder.mkdir(parents=make_parents, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ServiceUnavailable(f"cannot create the backup folder {folder}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ServiceUnavailable(f"the backup folder {folder} is not writable by Atom's user")
    return folder


def new_names(folder: Path, at: datetime) -> tuple[Path, Path]:
    """(temporary, final) paths for a backup made at `at`; never an existing name."""
    stamp, n = at.strftime(_STAMP), 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        final = folder / f"atom-backup-{stamp}{suffix}.tar.age"
        partial = folder / f".atom-backup-{stamp}{suffix}.partial"
        if not final.exists() and not partial.exists():
            return partial, final
        n += 1


def list_backups(folder: Path) -> list[BackupFile]:
    """Every backup in the folder, newest first."""
    if not folder.is_dir():
        return []
    found = [entry for path in folder.iterdir() if (entry := _entry(path)) is not None]
    return [backup for _, backup in sorted(found, key=lambda pair: pair[0], reverse=True)]


def last_good(folder: Path) -> BackupFile | None:
    return next((b for b in list_backups(folder) if b.ok), None)


def prune(folder: Path, keep: int, writing: Path | None = None) -> list[str]:
    """Delete all but the newest `keep` complete backups, and partial ones left by an earlier run."""
    complete = [b for b in list_backups(folder) if b.ok]
    doomed = [b.file for b in complete[keep:]]
    doomed += [b.file for b in list_backups(folder) if not b.ok and folder / b.file != writing]
    for name in doomed:
        (folder / name).unlink(missing_ok=True)
    return doomed


def _entry(path: Path) -> tuple[tuple[datetime, int], BackupFile] | None:
    """The backup a file is, with its place in time (a second backup within a second is `-2`)."""
    complete = _COMPLETE.fullmatch(path.name)
    match = complete or _PARTIAL.fullmatch(path.name)
    if match is None or not path.is_file():
        return None
    created = datetime.strptime(match.group(1), _STAMP)
    backup = BackupFile(file=path.name, size_bytes=path.stat().st_size, created_at=created, ok=complete is not None)
    return (created, int(match.group(2) or 1)), backup
