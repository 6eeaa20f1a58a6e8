"""The organizer's jobs: thin, they ask the server (which owns the database) to do the work."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from huey import SqliteHuey, crontab
from huey.api import TaskWrapper

from appliance.jobs.client import ServerClient
from appliance.organizer.caldav.shapes import SyncReport
from appliance.organizer.reminders.shapes import FireReport

__all__ = ["register_organizer_tasks"]


def register_organizer_tasks(huey: SqliteHuey, server: Callable[[], ServerClient]) -> dict[str, TaskWrapper]:
    # Every minute. A missed run is not replayed: the next one finds everything due since, and the
    # server fires those late, with a note. Retried once, briefly, so a server restart is bridged.
    @huey.periodic_task(crontab(minute="*"), retries=1, retry_delay=10, name="reminders")
    def reminders() -> FireReport:
        """Fire the reminders that are due (the server marks each fired exactly once)."""
        return msgspec.convert(server().call("POST", "/api/control/organizer/reminders/fire"), FireReport)

    # Asks every minute; the server syncs only the calendars whose interval has passed (the household's
    # `organizer.caldav_sync_minutes`, or the link's own), so asking costs nothing when none is due.
    # "Sync now" on the calendar page does not wait. Only changes travel (sync tokens and ETags).
    @huey.periodic_task(crontab(minute="*"), retries=0, name="caldav-sync")
    def caldav_sync() -> list[SyncReport]:
        """Two-way sync of the linked calendars that are due."""
        answer = server().call("POST", "/api/control/organizer/caldav/sync", timeout=600)
        return msgspec.convert(answer, list[SyncReport])

    return {"reminders": reminders, "caldav-sync": caldav_sync}
