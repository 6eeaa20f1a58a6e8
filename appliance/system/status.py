"""System status: one check per component, each saying whether it is healthy and why."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import timedelta

from appliance import clock
from appliance.ai.models import load_manifest, quick_check, read_installed
from appliance.settings import Settings
from appliance.storage import Database, schema_version
from appliance.system.backup.folder import last_good
from appliance.system.backup.keys import RECIPIENT_FILE
from appliance.system.jobs import last_heartbeat
from appliance.system.shapes import Component, SystemStatus
from appliance.system.version import atom_version

__all__ = ["system_status", "atom_version", "backup_status"]

_MIN_FREE_BYTES = 1 << 30
_HEARTBEAT_STALE_SECONDS = 180
_BACKUP_STALE = {True: timedelta(hours=36), False: timedelta(days=8)}  # scheduled daily, or made by hand


async def system_status(settings: Settings, db: Database, pending_jobs: Callable[[], int]) -> SystemStatus:
    """`pending_jobs` counts what waits in the queue (blocking; run on a thread)."""
    components = [
        await _database(settings, db),
        await _job_queue(db, pending_jobs),
        _disk(settings),
        await asyncio.to_thread(_models, settings),
        await asyncio.to_thread(backup_status, settings),
    ]
    return SystemStatus(ok=all(c.ok for c in components), version=atom_version(), components=components)


async def _database(settings: Settings, db: Database) -> Component:
    try:
        schema = await asyncio.to_thread(schema_version, db)
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Component(name="database", ok=False, summary=f"not answering: {exc}")
    size = settings.database_path.stat().st_size
    return Component(
        name="database",
        ok=True,
        summary=f"DuckDB, schema version {schema}",
        details={"path": str(settings.database_path), "schema_version": schema, "size_bytes": size},
    )


async def _job_queue(db: Database, pending_jobs: Callable[[], int]) -> Component:
    pending = await asyncio.to_thread(pending_jobs)
    seen = await last_heartbeat(db)
    age = None if seen is None else (clock.now() - seen).total_seconds()
    alive = age is not None and age < _HEARTBEAT_STALE_SECONDS
    if alive:
        summary = f"worker alive, {pending} job(s) waiting"
    elif seen is None:
        summary = f"no worker has reported yet (is atom-worker running?); {pending} job(s) waiting"
    else:
        summary = f"worker silent for {int(age or 0)} s (is atom-worker running?); {pending} job(s) waiting"
    return Component(
        name="jobs",
        ok=alive,
        summary=summary,
        details={"pending": pending, "worker_seen_seconds_ago": None if age is None else round(age, 1)},
    )


def _models(settings: Settings) -> Component:
    """The default models (and the chosen local chat model): installed and intact?"""
    wanted = {spec.name for spec in load_manifest().defaults()} | {settings.ai.local_model}
    installed = read_installed(settings.data_dir).models
    missing = sorted(name for name in wanted if name not in installed)
    damaged = sorted(name for name in wanted if name in installed and quick_check(settings.data_dir, installed[name]))
    ok = not missing and not damaged
    if ok:
        summary = f"{len(wanted)} models installed and intact"
    else:
        problems = [*(f"{n} missing" for n in missing), *(f"{n} damaged" for n in damaged)]
        broken = ", ".join(problems) if len(problems) <= 2 else f"{len(problems)} models missing or damaged"
        summary = f"{broken}: run `atom models install --default`"
    return Component(
        name="models",
        ok=ok,
        summary=summary,
        details={
            "installed": len(installed),
            "missing": ", ".join(missing),
            "damaged": ", ".join(damaged),
            "local_chat_model": settings.ai.local_model,
        },
    )


def _disk(settings: Settings) -> Component:
    usage = shutil.disk_usage(settings.data_dir)
    ok = usage.free >= _MIN_FREE_BYTES
    gib = usage.free / (1 << 30)
    summary = f"{gib:.1f} GiB free" + ("" if ok else " (low: under 1 GiB)")
    return Component(
        name="disk",
        ok=ok,
        summary=summary,
        details={"free_bytes": usage.free, "total_bytes": usage.total, "path": str(settings.data_dir)},
    )


def backup_status(settings: Settings) -> Component:
    """The last good backup: there is one, and it is recent (a missed day shows here)."""
    last = last_good(settings.backup_folder)
    keyed = bool(settings.backup.recipient.strip()) or (settings.data_dir / RECIPIENT_FILE).is_file()
    scheduled = settings.backup.hour >= 0
    if last is None:
        fix = "" if keyed else ": run `atom backup keygen`, then back up from the System page"
        return Component(name="backups", ok=False, summary=f"no backup yet{fix}", details={"scheduled": scheduled})
    age = clock.now() - last.created_at
    ok = age <= _BACKUP_STALE[scheduled]
    summary = f"last good backup {_ago(age)} ago" + ("" if ok else " (overdue)")
    if not scheduled:
        summary += "; scheduled backups are off (backup.hour)"
    details: dict[str, str | int | float | bool | None] = {
        "last_backup": last.file,
        "last_backup_at": last.created_at.isoformat() + "Z",
        "age_seconds": int(age.total_seconds()),
        "scheduled": scheduled,
    }
    return Component(name="backups", ok=ok, summary=summary, details=details)


def _ago(age: timedelta) -> str:
    seconds = max(0, int(age.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
