"""The data folder holds keys and every member's data: only Atom's own user may read it.

`make_private` runs before any command touches the folder, so it is 0700 (files 0600) from the
very first `make run`, and a folder whose modes were loosened (a restore, a careless `cp`) is
tightened again at the next start. The master key is the exception: if others could read it, it
may have been copied, so the vault refuses to start (saying how to go on) rather than hide that.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from appliance.errors import StartupRefused

__all__ = ["make_private", "FOLDER_MODE", "FILE_MODE", "LEFT_FOR_THE_VAULT"]

FOLDER_MODE = 0o700
FILE_MODE = 0o600
LEFT_FOR_THE_VAULT = frozenset({"master.key"})  # checked (and refused when loose) by the vault


def make_private(data_dir: Path) -> None:
    """Create the data folder if needed and make it and everything in it private to this user."""
    _create(data_dir)
    _check_writable(data_dir)
    for folder, _, files in os.walk(data_dir):
        _tighten(Path(folder), FOLDER_MODE)
        for name in files:
            if not (Path(folder) == data_dir and name in LEFT_FOR_THE_VAULT):
                _tighten(Path(folder) / name, FILE_MODE)


def _create(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    except OSError as exc:
        raise StartupRefused(
            f"cannot create the data folder {data_dir} ({exc.strerror}): "
            "create it for this user or point ATOM_DATA_DIR at a writable folder"
        ) from None
    if not data_dir.is_dir():
        raise StartupRefused(f"the data folder {data_dir} is not a folder: set ATOM_DATA_DIR to a folder")


def _check_writable(data_dir: Path) -> None:
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise StartupRefused(
            f"the data folder {data_dir} is not writable by this user: "
            f"run `sudo chown -R $(id -un) {data_dir}` or point ATOM_DATA_DIR elsewhere"
        )


def _tighten(path: Path, mode: int) -> None:
    """Remove group and other bits (links are left alone: their targets are not ours)."""
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o077 == 0:
        return
    try:
        path.chmod(stat.S_IMODE(info.st_mode) & ~0o077 | (mode & 0o700))
    except OSError as exc:
        raise StartupRefused(
            f"cannot make {path} private ({exc.strerror}): it belongs to another user; "
            f"run `sudo chown -R $(id -un) {path.parent}`"
        ) from None
