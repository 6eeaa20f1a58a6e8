"""The figures `/metrics` adds to the web server's own: AI speed, the job queue, backups, the box.

Each is read when asked for, and a figure the box cannot give (no thermal zones, no
`vcgencmd` off a Raspberry Pi) is left out rather than made up.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import msgspec

from appliance import clock
from appliance.ai.speed import ModelSpeed, local_speed
from appliance.settings import Settings
from appliance.storage import Database
from appliance.system.backup.folder import list_backups
from appliance.system.jobs import failures_by_job, running_runs

__all__ = ["BoxMetrics", "Machine", "collect_metrics", "read_machine", "read_temperatures", "read_throttled"]

_SYS = Path("/sys")
_EPOCH = datetime(1970, 1, 1)  # Atom's times are naive UTC


class Machine(msgspec.Struct, frozen=True, kw_only=True):
    disk_free_bytes: int
    disk_total_bytes: int
    temperatures_celsius: dict[str, float]  # thermal zone "thermal_zone0/cpu-thermal" -> °C
    throttled: int | None  # `vcgencmd get_throttled` bits, on a Raspberry Pi


class BoxMetrics(msgspec.Struct, frozen=True, kw_only=True):
    llm: list[ModelSpeed]
    jobs_pending: int
    jobs_running: int
    job_failures: dict[str, int]
    backups_complete: int
    last_backup_age_seconds: float | None
    last_backup_timestamp: float | None  # seconds since the epoch, UTC
    machine: Machine


async def collect_metrics(
    settings: Settings, db: Database, pending_jobs: Callable[[], int], machine: Callable[[Path], Machine] | None = None
) -> BoxMetrics:
    """`pending_jobs` counts the queue (blocking, so run on a thread), as `machine` reads the box."""
    read = machine or read_machine
    pending, running, failures, backups, box = await asyncio.gather(
        asyncio.to_thread(pending_jobs),
        running_runs(db),
        failures_by_job(db),
        asyncio.to_thread(list_backups, settings.backup_folder),
        asyncio.to_thread(read, settings.data_dir),
    )
    good = [b for b in backups if b.ok]
    last = good[0].created_at if good else None
    return BoxMetrics(
        llm=local_speed.summary(),
        jobs_pending=pending,
        jobs_running=len(running),
        job_failures=failures,
        backups_complete=len(good),
        last_backup_age_seconds=None if last is None else (clock.now() - last).total_seconds(),
        last_backup_timestamp=None if last is None else (last - _EPOCH).total_seconds(),
        machine=box,
    )


def read_machine(data_dir: Path, sys_root: Path = _SYS, vcgencmd: str | None = None) -> Machine:
    usage = shutil.disk_usage(data_dir)
    return Machine(
        disk_free_bytes=usage.free,
        disk_total_bytes=usage.total,
        temperatures_celsius=read_temperatures(sys_root),
        throttled=read_throttled(vcgencmd or shutil.which("vcgencmd")),
    )


def read_temperatures(sys_root: Path = _SYS) -> dict[str, float]:
    """Each thermal zone's temperature (the kernel gives millidegrees Celsius)."""
    found: dict[str, float] = {}
    for zone in sorted((sys_root / "class" / "thermal").glob("thermal_zone*")):
        try:
            millidegrees = int((zone / "temp").read_text().strip())
            kind = (zone / "type").read_text().strip() if (zone / "type").exists() else "unknown"
        except (OSError, ValueError):  # a zone whose sensor is off answers EINVAL or ENODATA
            continue
        found[f"{zone.name}/{kind}"] = millidegrees / 1000
    return found


def read_throttled(vcgencmd: str | None) -> int | None:
    """The Raspberry Pi firmware's throttling bits (`throttled=0x50005`), or None off a Pi."""
    if vcgencmd is None:
        return None
    try:
        done = subprocess.run([vcgencmd, "get_throttled"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    _, _, value = done.stdout.strip().partition("=")
    try:
        return int(value, 16) if done.returncode == 0 else None
    except ValueError:
        return None
