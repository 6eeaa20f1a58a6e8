"""The organizer's part of the control API: what the job worker asks for every minute or so."""

from __future__ import annotations

from litestar import Router, post
from litestar.status_codes import HTTP_200_OK

from appliance.organizer.reminders.models import FireReport
from appliance.organizer.reminders.reminders import deliver_due
from appliance.server.auth import CONTROL_PREFIX, service_only
from appliance.server.deps import RuntimeDep

__all__ = ["routes"]


@post("/reminders/fire", status_code=HTTP_200_OK)
async def fire_reminders(runtime: RuntimeDep) -> FireReport:
    """Fire every reminder that is due, each exactly once (late ones with a note)."""
    return await deliver_due(runtime.db, runtime.bus, runtime.reminder_announcers)


routes = [
    Router(
        CONTROL_PREFIX + "/organizer",
        route_handlers=[fire_reminders],
        guards=[service_only],
        tags=["control"],
    )
]
