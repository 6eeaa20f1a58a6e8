"""Making a backup: snapshot, archive, encrypt, and only then give it its final name.

Runs in the process that owns the database (`atom serve`, or `atom backup` when no server runs),
on a thread of its own: the event loop never waits for it, and only the database copy itself
holds the writer.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeAlias

import duckdb
from pyrage import x25519

from appliance import clock
from appliance.ai.models import read_installed
from appliance.errors import Conflict, InvalidInput, ServiceUnavailable
from appliance.settings import Settings
from appliance.storage import Database, schema_version
from appliance.system.backup.archive import write_archive
from appliance.system.backup.folder import BackupFile, last_good, list_backups, new_names, open_folder, prune
from appliance.system.backup.keys import parse_recipient, recipient
from appliance.system.backup.manifest import FORMAT, FileEntry, Manifest, ModelEntry
from appliance.system.backup.snapshot import take_snapshot
from appliance.system.shapes import BackupOrder
from appliance.system.version import atom_version

__all__ = ["BackupRunner", "Seal", "create_backup", "order_seal"]

_STAGING_PREFIX = ".backup-staging-"
Seal: TypeAlias = x25519.Recipient | str  # an age public key, or a passphrase


class BackupRunner:
    """One backup at a time per server; the API, the scheduled job and the CLI all come here."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self._lock = threading.Lock()

    def run(self, order: BackupOrder | None = None) -> BackupFile:
        """Blocking: call it on a thread."""
        order = order or BackupOrder()
        seal = order_seal(order)
        if not self._lock.acquire(blocking=False):
            raise Conflict("a backup is being made already; try again when it has finished")
        try:
            return create_backup(self.settings, self.db, seal, prune_after=not order.one_time)
        finally:
            self._lock.release()

    def list(self) -> list[BackupFile]:
        return list_backups(self.settings.backup_folder)

    def last_good(self) -> BackupFile | None:
        return last_good(self.settings.backup_folder)


def order_seal(order: BackupOrder) -> Seal | None:
    """What an order seals its backup with: its passphrase, its age public key, or (None) the household's."""
    if order.passphrase is not None and order.recipient is not None:
        raise InvalidInput("a backup is sealed with a passphrase or to a public key, not both")
    if order.recipient is not None:
        return parse_recipient(order.recipient)
    return order.passphrase


def create_backup(settings: Settings, db: Database, seal: Seal | None = None, prune_after: bool = True) -> BackupFile:
    """Back up the data folder into the backup folder, sealed with `seal` (a passphrase or an age
    public key; None: the household's key); then (unless told not to) keep the newest `backup.keep`."""
    seal = seal if seal is not None else recipient(settings)
    folder = open_folder(settings.backup_folder, make_parents=not settings.backup.folder)
    at = clock.now()
    partial, final = new_names(folder, at)
    _remove_stale_staging(settings.data_dir)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=settings.data_dir))  # 0700
    try:
        take_snapshot(settings, db, staging)
        schema = schema_version(db)
        _write(partial, staging, seal, lambda files: _manifest(settings, schema, at, files))
        partial.replace(final)
        _sync_folder(folder)
    except OSError as exc:  # a full disk, a USB disk pulled out: the household should hear what happened
        partial.unlink(missing_ok=True)
        raise ServiceUnavailable(f"the backup could not be written: {exc.strerror or exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if prune_after:
        prune(folder, settings.backup.keep)
    return BackupFile(file=final.name, size_bytes=final.stat().st_size, created_at=at.replace(microsecond=0), ok=True)


def _write(partial: Path, staging: Path, seal: Seal, manifest: Callable[[list[FileEntry]], Manifest]) -> None:
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        write_archive(staging, out, seal, manifest)
        out.flush()
        os.fsync(out.fileno())  # complete on disk before it gets a complete name


def _manifest(settings: Settings, schema: int, at: datetime, files: list[FileEntry]) -> Manifest:
    installed = read_installed(settings.data_dir).models.values()
    return Manifest(
        format=FORMAT,
        atom_version=atom_version(),
        schema_version=schema,
        duckdb_version=duckdb.__version__,
        created_at=at,
        files=files,
        models=[ModelEntry(name=m.name, origin=m.origin, source=m.source) for m in installed],
    )


def _remove_stale_staging(data_dir: Path) -> None:
    """A backup cut short by a crash or power cut leaves its staging folder: it goes now."""
    for leftover in data_dir.glob(_STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
