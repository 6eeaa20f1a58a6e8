"""The connectors' job: thin, it asks the server (which owns the database and the tokens) to sync."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from huey import SqliteHuey, crontab
from huey.api import TaskWrapper

from appliance.connectors.shapes import SyncOutcome
from appliance.jobs.client import ServerClient
from appliance.settings import Settings

__all__ = ["register_connector_tasks"]


def register_connector_tasks(
    huey: SqliteHuey, settings: Settings, server: Callable[[], ServerClient]
) -> dict[str, TaskWrapper]:
    # Only changes travel (each connection's cursor), so a quiet household costs a request or two per
    # connection. A service's Retry-After is kept on the connection: the server skips it until then.
    every = crontab(minute=f"*/{settings.connectors.sync_minutes}")

    @huey.periodic_task(every, retries=1, retry_delay=60, name="connections-sync")
    def connections_sync() -> list[SyncOutcome]:
        """Sync every signed-in connection to an outside service."""
        answer = server().call("POST", "/api/control/connections/sync", timeout=900)
        return msgspec.convert(answer, list[SyncOutcome])

    return {"connections-sync": connections_sync}
