"""The organizer's part of the control API: what the job worker asks for every minute or so."""

from __future__ import annotations

from litestar import Router, post
from litestar.status_codes import HTTP_200_OK

from appliance.ai.outbound import OutboundRules
from appliance.organizer.caldav.shapes import SyncReport
from appliance.organizer.caldav.sync import sync_due
from appliance.organizer.calendar import queries as calendar_queries
from appliance.organizer.reminders.reminders import deliver_due
from appliance.organizer.reminders.shapes import FireReport
from appliance.server.auth import CONTROL_PREFIX, service_only
from appliance.server.deps import RuntimeDep
from appliance.server.routes.caldav import announce_sync

__all__ = ["routes"]


@post("/reminders/fire", status_code=HTTP_200_OK)
async def fire_reminders(runtime: RuntimeDep) -> FireReport:
    """Fire every reminder that is due: never lost, handed over once (late ones with a note)."""
    return await deliver_due(runtime.db, runtime.bus, runtime.reminder_announcers)


@post("/caldav/sync", status_code=HTTP_200_OK)
async def caldav_sync(runtime: RuntimeDep) -> list[SyncReport]:
    """Sync the linked calendars whose interval has passed; one that fails keeps its error (and what to do
    about it) on the calendar."""
    rules = OutboundRules.for_box(runtime.settings)
    minutes = runtime.settings.organizer.caldav_sync_minutes
    reports = await sync_due(runtime.db, runtime.knowledge, runtime.vault, rules, minutes)
    for report in reports:
        found = await runtime.db.read(calendar_queries.one_calendar, report.calendar_id)
        if found is not None and (report.pulled or report.deleted_here or report.conflicts):
            announce_sync(runtime.bus, found)
    return reports


routes = [
    Router(
        CONTROL_PREFIX + "/organizer",
        route_handlers=[fire_reminders, caldav_sync],
        guards=[service_only],
        tags=["control"],
    )
]
