"""Atom's built-in jobs, registered on a Huey instance by name.

Task bodies are thin: they ask the server to do the work, so the one process
that owns DuckDB stays the only one that touches it. What they send and get back
are the control API's msgspec shapes (`appliance.system.models`).
"""

from __future__ import annotations

import socket

import msgspec
from huey import SqliteHuey, crontab
from huey.api import TaskWrapper

from appliance.jobs.client import lazy_server_client
from appliance.jobs.organizer import register_organizer_tasks
from appliance.settings import Settings
from appliance.system.models import Heartbeat, Housekeeping

__all__ = ["register_tasks"]

_RETRIES, _RETRY_DELAY = 3, 20


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

    return {"housekeeping": housekeeping, "heartbeat": heartbeat, **register_organizer_tasks(huey, server)}
