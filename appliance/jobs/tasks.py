"""Atom's built-in jobs, registered on a Huey instance by name.

Task bodies are thin: they ask the server to do the work, so the one process
that owns DuckDB stays the only one that touches it.
"""

from __future__ import annotations

import socket

from huey import SqliteHuey, crontab
from huey.api import TaskWrapper

from appliance.jobs.client import lazy_server_client
from appliance.settings import Settings

__all__ = ["register_tasks"]

_RETRIES, _RETRY_DELAY = 3, 20


def register_tasks(huey: SqliteHuey, settings: Settings) -> dict[str, TaskWrapper]:
    server = lazy_server_client(settings)
    every = crontab(minute=f"*/{settings.jobs.housekeeping_minutes}")

    @huey.periodic_task(every, retries=_RETRIES, retry_delay=_RETRY_DELAY, name="housekeeping")
    def housekeeping() -> dict[str, int]:
        """Purge expired sign-ins and old job history."""
        return server().call("POST", "/api/control/housekeeping")

    @huey.periodic_task(crontab(minute="*"), retries=2, retry_delay=5, name="heartbeat")
    def heartbeat() -> None:
        """Tell the server this worker is alive (shown on the status page)."""
        server().call("POST", "/api/control/heartbeat", {"worker": socket.gethostname()})

    return {"housekeeping": housekeeping, "heartbeat": heartbeat}
