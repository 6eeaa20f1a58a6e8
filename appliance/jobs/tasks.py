"""Atom's built-in jobs, registered on a Huey instance by name.

Task bodies are thin: they ask the server to do the work, so the one process
that owns DuckDB stays the only one that touches it. What they send and get back
are the control API's msgspec shapes (`appliance.system.shapes`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from huey import SqliteHuey, crontab
from huey.api import TaskWrapper

from appliance.jobs.client import lazy_server_client
from appliance.jobs.connectors import register_connector_tasks
from appliance.jobs.organizer import register_organizer_tasks
from appliance.settings import Settings
from appliance.system.shapes import BackupOrder, Heartbeat, Housekeeping

__all__ = ["register_tasks", "daily_at_local_hour"]

_RETRIES, _RETRY_DELAY = 3, 20
_BACKUP_SECONDS = 4 * 3600  # a large documents folder onto a slow USB disk


def register_tasks(huey: SqliteHuey, settings: Settings) -> dict[str, TaskWrapper]:
    server = lazy_server_client(settings)
    every = crontab(minute=f"*/{settings.jobs.housekeeping_minutes}")

    @huey.periodic_task(every, retries=_RETRIES, retry_delay=_RETRY_DELAY, name="housekeeping")
    def housekeeping() -> Housekeeping:
        """Purge expired sign-ins and old job history."""
        return msgspec.convert(server().call("POST", "/api/control/housekeeping"), Housekeeping)

    @huey.periodic_task(crontab(minute="*"), retries=2, retry_delay=5, name="heartbeat")
    def heartbeat() -> None:
        """Tell the server this worker is alive (shown on the status page)."""
        server().call("POST", "/api/control/heartbeat", Heartbeat(worker=socket.gethostname()))

    @huey.periodic_task(daily_at_local_hour(settings.backup.hour), retries=2, retry_delay=600, name="backup")
    def backup() -> dict[str, object]:
        """Back up the data folder, encrypted to the household key (the server makes it)."""
        return server().call("POST", "/api/control/backups", BackupOrder(), timeout=_BACKUP_SECONDS)

    return {
        "housekeeping": housekeeping,
        "heartbeat": heartbeat,
        "backup": backup,
        **register_organizer_tasks(huey, server),
        **register_connector_tasks(huey, settings, server),
    }


def daily_at_local_hour(hour: int) -> Callable[[datetime], bool]:
    """Huey's periodic test for "once a day at `hour`, the box's local time" (-1: never).

    The queue keeps UTC (it hands this naive UTC minutes), while a household thinks in its own
    time: each minute is turned into local time here, so a change of summer time is followed."""

    def due(utc_minute: datetime) -> bool:
        local = utc_minute.replace(tzinfo=UTC).astimezone()
        return hour >= 0 and local.hour == hour and local.minute == 0

    return due
