"""Microsoft To Do tasks as the member's tasks in Atom, both ways.

Each list keeps its own place in the cursor (`todo`: list id → the next page's or the delta
link), saved page by page. A task's id in Atom's books is `task:<list id>:<task id>`, so
completing it in Atom knows which list to tell.
"""

from __future__ import annotations

from datetime import date

from appliance.connectors.base import RemoteTask
from appliance.connectors.services.microsoft import api
from appliance.connectors.session import SyncSession
from appliance.errors import ServiceFailed

__all__ = ["pull", "send_completed", "as_task"]

_PREFIX = "task:"


async def send_completed(session: SyncSession) -> None:
    """What the member ticked off in Atom is completed in To Do."""
    for remote_id in await session.completed_here():
        list_id, _, task_id = remote_id.removeprefix(_PREFIX).partition(":")
        if await api.complete_task(session.http, list_id, task_id):
            await session.sent_done(remote_id)
        else:
            await session.forget(remote_id)


async def pull(session: SyncSession) -> None:
    lists = await api.todo_lists(session.http)
    places: dict[str, str] = dict(session.cursor.get("todo") or {})
    for todo_list in lists:
        await _pull_list(session, todo_list.id, places)
    current = {todo_list.id for todo_list in lists}
    for remote_id in await session.remote_ids():
        if remote_id.startswith(_PREFIX) and remote_id[len(_PREFIX) :].partition(":")[0] not in current:
            await session.forget(remote_id)  # its list was deleted
    await session.save_cursor(todo={key: link for key, link in places.items() if key in current})


async def _pull_list(session: SyncSession, list_id: str, places: dict[str, str]) -> None:
    where: str | None = places.get(list_id) or api.first_tasks_page(list_id)
    restarted = False
    while where:
        try:
            page = await api.task_page(session.http, where)
        except api.DeltaGone:
            if restarted:
                raise ServiceFailed("Microsoft Graph refused even a fresh listing; Atom will try again later") from None
            where, restarted = api.first_tasks_page(list_id), True
            continue
        for task in page.value:
            await _apply(session, list_id, task)
        places[list_id] = page.next_link or page.delta_link or ""
        await session.save_cursor(todo=places)
        where = page.next_link


async def _apply(session: SyncSession, list_id: str, task: api.TodoTask) -> None:
    remote_id = f"{_PREFIX}{list_id}:{task.id}"
    if task.removed is not None:
        await session.forget(remote_id)
    else:
        await session.upsert_task(as_task(remote_id, task))


def as_task(remote_id: str, task: api.TodoTask) -> RemoteTask:
    url = f"https://to-do.office.com/tasks/id/{task.id}/details"
    text = task.body.content.strip() if task.body and task.body.contentType == "text" else ""
    return RemoteTask(
        remote_id=remote_id,
        title=task.title or "(untitled)",
        notes=f"{text}\n\nMicrosoft To Do: {url}" if text else f"Microsoft To Do: {url}",
        url=url,
        done=task.status == "completed",
        due_date=_due(task.dueDateTime),
    )


def _due(moment: api.Moment | None) -> date | None:
    """To Do keeps a due date as midnight of that day in the member's zone: the day is what counts."""
    try:
        return date.fromisoformat(moment.dateTime[:10]) if moment else None
    except ValueError:
        return None
