"""Tasks over HTTP, and the household's time zone. Thin: unpack, call, pack.

A change is announced on the live channel (topic `tasks`) to whoever may see the task.
"""

from __future__ import annotations

from litestar import delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance import connectors
from appliance.events import EVERYONE, Action, Event, EventBus
from appliance.organizer import household
from appliance.organizer.household import Household, HouseholdUpdate
from appliance.organizer.live import announce
from appliance.organizer.tasks import tasks
from appliance.organizer.tasks.shapes import Task, TaskCreate, TaskStatus, TaskUpdate
from appliance.runtime import Runtime
from appliance.server.auth import admin_only, members_only
from appliance.server.deps import BusDep, DatabaseDep, KnowledgeDep, PrincipalDep, RuntimeDep

__all__ = ["routes"]

_TAGS = ["tasks"]


@get("/api/tasks", tags=_TAGS, guards=[members_only])
async def list_tasks(
    db: DatabaseDep,
    principal: PrincipalDep,
    status: FromQuery[TaskStatus] = "open",
    assignee: FromQuery[str | None] = None,
) -> list[Task]:
    """Most pressing first; each task carries its `score` and a one-line `why`."""
    return await tasks.list_tasks(db, principal.user_id, status, assignee)


@get("/api/tasks/today", tags=_TAGS, guards=[members_only])
async def today(db: DatabaseDep, principal: PrincipalDep, member: FromQuery[str | None] = None) -> list[Task]:
    """A member's day (yours by default): what is theirs and due by today, or high priority, best first."""
    return await tasks.today_tasks(db, principal.user_id, member or principal.user_id)


@post("/api/tasks", tags=_TAGS, guards=[members_only], status_code=HTTP_201_CREATED)
async def create_task(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, data: JSONBody[TaskCreate]
) -> Task:
    task = await tasks.create_task(db, knowledge, principal.user_id, data)
    _announce(bus, "created", task)
    return task


@get("/api/tasks/{task_id:str}", tags=_TAGS, guards=[members_only])
async def get_task(db: DatabaseDep, principal: PrincipalDep, task_id: FromPath[str]) -> Task:
    return await tasks.get_task(db, principal.user_id, task_id)


@patch("/api/tasks/{task_id:str}", tags=_TAGS, guards=[members_only])
async def update_task(
    db: DatabaseDep,
    knowledge: KnowledgeDep,
    bus: BusDep,
    principal: PrincipalDep,
    task_id: FromPath[str],
    data: JSONBody[TaskUpdate],
) -> Task:
    task = await tasks.update_task(db, knowledge, principal.user_id, task_id, data)
    _announce(bus, "updated", task)
    return task


@post("/api/tasks/{task_id:str}/complete", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def complete_task(runtime: RuntimeDep, principal: PrincipalDep, task_id: FromPath[str]) -> Task:
    """Done; a repeating task moves to its next date instead (and stays open). A task a connection
    brought in is closed at its service at once."""
    task = await tasks.complete_task(runtime.db, runtime.knowledge, principal.user_id, task_id)
    await _changed(runtime, task)
    return task


@post("/api/tasks/{task_id:str}/reopen", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def reopen_task(runtime: RuntimeDep, principal: PrincipalDep, task_id: FromPath[str]) -> Task:
    task = await tasks.reopen_task(runtime.db, runtime.knowledge, principal.user_id, task_id)
    await _changed(runtime, task)
    return task


@post("/api/tasks/{task_id:str}/keep", tags=_TAGS, guards=[members_only], status_code=HTTP_200_OK)
async def keep_task(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, task_id: FromPath[str]
) -> Task:
    """Dismiss the note a sync conflict left on this task."""
    task = await tasks.keep_task(db, knowledge, principal.user_id, task_id)
    _announce(bus, "updated", task)
    return task


@delete("/api/tasks/{task_id:str}", tags=_TAGS, guards=[members_only])
async def delete_task(
    db: DatabaseDep, knowledge: KnowledgeDep, bus: BusDep, principal: PrincipalDep, task_id: FromPath[str]
) -> None:
    _announce(bus, "deleted", await tasks.delete_task(db, knowledge, principal.user_id, task_id))


@get("/api/organizer/household", tags=["calendar"])
async def get_household(db: DatabaseDep) -> Household:
    """The household's time zone: where new events and tasks, and every view, start from."""
    return await household.get_household(db)


@put("/api/organizer/household", tags=["calendar"], guards=[admin_only])
async def set_household(db: DatabaseDep, bus: BusDep, data: JSONBody[HouseholdUpdate]) -> Household:
    """Admins only. Events keep their own zones; views and new items follow the new one."""
    changed = await household.set_household(db, data)
    bus.publish(Event(topic="calendar", action="updated", id="household"), [EVERYONE])
    return changed


async def _changed(runtime: Runtime, task: Task) -> None:
    """Pages hear of it; a connector's task goes back to its service."""
    _announce(runtime.bus, "updated", task)
    if task.source == "connector":
        await connectors.push_change(runtime.connectors, task.id)


def _announce(bus: EventBus, action: Action, task: Task) -> None:
    announce(bus, "tasks", action, task.id, task.owner_id)


routes = [
    list_tasks,
    today,
    create_task,
    get_task,
    update_task,
    complete_task,
    reopen_task,
    keep_task,
    delete_task,
    get_household,
    set_household,
]
