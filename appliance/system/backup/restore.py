"""Restoring a backup: verify everything first, then swap the data folder's files in one go.

Nothing in the data folder is touched until the archive has decrypted, every file's size and
sha256 match its manifest, and the versions fit this Atom. The files it replaces are moved to
`<data_dir>/.before-restore-<stamp>/`, not deleted.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb
import msgspec

from appliance import clock
from appliance.ai.models import read_installed
from appliance.errors import Conflict, InvalidInput
from appliance.settings import Settings
from appliance.storage.migrations import available_migrations
from appliance.system.backup.archive import Received, read_archive
from appliance.system.backup.keys import Key
from appliance.system.backup.manifest import TOP_LEVEL, Manifest, ModelEntry

__all__ = ["Restored", "restore_backup", "refuse_while_served"]

# Files beside the databases that belong to them: moved aside with them, never mixed with a restore.
_COMPANIONS = (
    "atom.duckdb.wal",
    "jobs.sqlite3-wal",
    "jobs.sqlite3-shm",
    "knowledge.sqlite3-wal",
    "knowledge.sqlite3-shm",
)


class Restored(msgspec.Struct, frozen=True, kw_only=True):
    manifest: Manifest
    set_aside: str | None  # where the replaced files went; None when only checked
    models_to_install: list[str]  # shipped models the backup's box had and this one lacks
    models_to_add: list[str]  # the household's own GGUF models: add them again by hand


def restore_backup(settings: Settings, archive: Path, key: Key, check_only: bool = False) -> Restored:
    """Verify `archive`, then swap it in; `check_only` stops after verifying (safe while Atom runs)."""
    if not check_only:
        refuse_while_served(settings.database_path)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.data_dir))  # 0700, same disk: moves are renames
    try:
        manifest, received = read_archive(archive, key, work)
        verify(manifest, received)
        _check_versions(manifest, work / "atom.duckdb")
        aside = None if check_only else _swap_in(settings.data_dir, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _report(settings, manifest, aside)


def refuse_while_served(database: Path) -> None:
    """The database lock tells whether `atom serve` runs; a damaged file must not stop a restore."""
    if not database.exists():
        return
    try:
        duckdb.connect(str(database), read_only=True).close()
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise Conflict(
                "Atom is running on this data folder: stop it and its worker first "
                "(sudo systemctl stop atom atom-worker), then restore"
            ) from None


def verify(manifest: Manifest, received: Received) -> None:
    """Every file the manifest names arrived, whole, and nothing else did."""
    listed = {entry.path: entry for entry in manifest.files}
    missing = sorted(set(listed) - set(received))
    extra = sorted(set(received) - set(listed))
    changed = sorted(path for path, entry in listed.items() if path in received and received[path] != entry)
    if missing or extra or changed:
        problems = [*(f"{p} missing" for p in missing), *(f"{p} not listed" for p in extra)]
        problems += [f"{p} does not match its sha256" for p in changed]
        raise InvalidInput("the backup is damaged or was altered: " + "; ".join(problems[:5]))
    if "atom.duckdb" not in listed or "master.key" not in listed:
        raise InvalidInput("the backup lacks the database or the master key: it is not a whole Atom backup")


def _check_versions(manifest: Manifest, database: Path) -> None:
    known = max((m.version for m in available_migrations()), default=0)
    if manifest.schema_version > known:
        raise InvalidInput(
            f"this backup is from a newer Atom ({manifest.atom_version}, schema {manifest.schema_version}); "
            f"this Atom knows schema {known}: upgrade Atom first, then restore"
        )
    try:
        conn = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise InvalidInput(
            f"this DuckDB ({duckdb.__version__}) cannot open the backup's database "
            f"(made by DuckDB {manifest.duckdb_version}): {exc}"
        ) from None
    try:
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    finally:
        conn.close()
    if row is None or row[0] != manifest.schema_version:
        raise InvalidInput("the backup's database is not at the schema version its manifest names")


def _swap_in(data_dir: Path, work: Path) -> str | None:
    """Move the current files aside, then the restored ones in; on any failure, put things back."""
    aside = data_dir / f".before-restore-{clock.now().strftime('%Y%m%dT%H%M%S%fZ')}"
    aside.mkdir(mode=0o700)
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in (*TOP_LEVEL, *_COMPANIONS):
            if (data_dir / name).exists() or (data_dir / name).is_symlink():
                (data_dir / name).rename(aside / name)
                moved_aside.append(name)
        for name in TOP_LEVEL:
            if (work / name).exists():
                (work / name).rename(data_dir / name)
                moved_in.append(name)
    except OSError:
        _undo(data_dir, aside, moved_aside, moved_in)
        raise
    if not moved_aside:  # a fresh data folder: nothing was replaced
        aside.rmdir()
        return None
    return str(aside)


def _undo(data_dir: Path, aside: Path, moved_aside: list[str], moved_in: list[str]) -> None:
    for name in moved_in:
        target = data_dir / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    for name in moved_aside:
        (aside / name).rename(data_dir / name)
    aside.rmdir()


def _report(settings: Settings, manifest: Manifest, aside: str | None) -> Restored:
    installed = read_installed(settings.data_dir).models
    lacking: list[ModelEntry] = [m for m in manifest.models if m.name not in installed]
    return Restored(
        manifest=manifest,
        set_aside=aside,
        models_to_install=sorted(m.name for m in lacking if m.origin == "manifest"),
        models_to_add=sorted(m.name for m in lacking if m.origin == "custom"),
    )
