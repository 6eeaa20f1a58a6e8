"""A member's reminders over HTTP. Thin: unpack, call, pack.

They fire through the job worker (see `organizer_control.py`): when one does, the member's open
pages hear it on the live channel (topic `reminders`, with the reminder as data).
"""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from appliance.events import Action, Event, EventBus
from appliance.organizer.reminders import reminders
from appliance.organizer.reminders.shapes import Reminder, ReminderCreate, ReminderState
from appliance.server.auth import members_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep

__all__ = ["routes"]

_TAGS = ["reminders"]


@get("/api/reminders", tags=_TAGS, guards=[members_only])
async def list_reminders(
    db: DatabaseDep, principal: PrincipalDep, which: Annotated[ReminderState, QueryParameter(name="state")] = "pending"
) -> list[Reminder]:
    """Your reminders, soonest first: those still to come (`state=pending`, the default), those that fired, or all."""
    return await reminders.list_reminders(db, principal.user_id, which)


@post("/api/reminders", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_reminder(
    db: DatabaseDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[ReminderCreate]
) -> Reminder:
    reminder = await reminders.create_reminder(db, principal.user_id, data)
    _announce(bus, "updated", reminder, principal.user_id)
    return reminder


@delete("/api/reminders/{reminder_id:str}", tags=_TAGS, guards=[members_only])
async def delete_reminder(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, reminder_id: FromPath[str]) -> None:
    reminder = await reminders.delete_reminder(db, principal.user_id, reminder_id)
    _announce(bus, "deleted", reminder, principal.user_id)


def _announce(bus: EventBus, action: Action, reminder: Reminder, member: str) -> None:
    """A change to the list (not a reminder firing: that is `created`, with the reminder as data)."""
    bus.publish(Event(topic="reminders", action=action, id=reminder.id), [member])


routes = [list_reminders, create_reminder, delete_reminder]
