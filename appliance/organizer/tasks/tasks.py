"""Tasks: notes, a due date and time, a priority, an assignee, a repeat rule; ranked by what matters now.

A task is the household's (every member sees and edits it, and it may be assigned to any member)
or private to its owner (assignable to them only). Completing a repeating task rolls it to its
next date instead of closing it. Every task is one record in the knowledge index.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import msgspec
from msgspec import UNSET

from appliance import clock
from appliance.errors import InvalidInput, NotFound
from appliance.knowledge.knowledge import Knowledge
from appliance.knowledge.records import Indexable
from appliance.organizer.caldav.tombstones import leave_tombstone
from appliance.organizer.calendar.calendars import get_calendar
from appliance.organizer.household import household_zone, zone
from appliance.organizer.recurrence import checked_rrule, next_after, with_count_used
from appliance.organizer.scope import check_visible, index_owner, owner_for
from appliance.organizer.tasks import queries
from appliance.organizer.tasks.priority import Ranking, score
from appliance.organizer.tasks.shapes import Task, TaskCreate, TaskSource, TaskStatus, TaskUpdate
from appliance.organizer.timing import aware_utc, now_in, wall_clock
from appliance.storage import Database, Writer

__all__ = [
    "TASK",
    "list_tasks",
    "today_tasks",
    "get_task",
    "create_task",
    "update_task",
    "complete_task",
    "reopen_task",
    "keep_task",
    "delete_task",
    "task_records",
    "indexable_task",
]

TASK = "task"


async def list_tasks(
    db: Database, viewer: str, status: TaskStatus = "open", assignee_id: str | None = None
) -> list[Task]:
    """The tasks the viewer may see, most pressing first, each with its score and why."""
    ranked = await _ranked(db, viewer)
    chosen = [t for t in ranked if _has_status(t, status) and (assignee_id is None or t.assignee_id == assignee_id)]
    return chosen


async def today_tasks(db: Database, viewer: str, member_id: str) -> list[Task]:
    """A member's day: their open tasks (and the household's unassigned ones) due by today, or high priority."""
    today = now_in(await household_zone(db)).date()
    return [
        t
        for t in await _ranked(db, viewer)
        if t.completed_at is None
        and _theirs(t, member_id)
        and ((t.due_date is not None and t.due_date <= today) or (t.due_date is None and t.priority == "high"))
    ]


async def get_task(db: Database, viewer: str, task_id: str) -> Task:
    task = await db.read(queries.one_task, task_id)
    if task is None:
        raise NotFound("no such task")
    check_visible(task.owner_id, viewer, "task")
    return await _with_score(db, viewer, task)


async def create_task(
    db: Database, knowledge: Knowledge, viewer: str, new: TaskCreate, source: TaskSource = "member"
) -> Task:
    stamp = clock.now()
    tz = new.tz or (await household_zone(db)).key
    draft = Task(
        id=uuid.uuid4().hex,
        title=new.title.strip() or new.title,
        notes=new.notes,
        shared=new.shared,
        owner_id=owner_for(new.shared, viewer),
        calendar_id=new.calendar_id if new.calendar_id is not None else ("household" if new.shared else None),
        due_date=new.due_date,
        due_time=new.due_time,
        tz=tz,
        due_at=None,
        priority=new.priority,
        assignee_id=new.assignee_id,
        rrule=new.rrule,
        source=source,
        completed_at=None,
        created_by=viewer,
        created_at=stamp,
        updated_at=stamp,
    )
    task = await _checked(db, viewer, draft)
    await db.write(queries.insert_task, task, uuid.uuid4().hex + "@atom")
    await knowledge.index(indexable_task(task))
    return await _with_score(db, viewer, task)


async def update_task(db: Database, knowledge: Knowledge, viewer: str, task_id: str, change: TaskUpdate) -> Task:
    task = await get_task(db, viewer, task_id)
    fields: dict[str, Any] = {
        name: getattr(change, name) for name in change.__struct_fields__ if getattr(change, name) is not UNSET
    }
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip() or fields["title"]
    draft = msgspec.structs.replace(task, **fields, updated_at=clock.now(), conflict=None)
    return await _save(db, knowledge, viewer, await _checked(db, viewer, draft))


async def complete_task(db: Database, knowledge: Knowledge, viewer: str, task_id: str) -> Task:
    """Done; a repeating task instead moves to its next date after both its due date and now."""
    task = await get_task(db, viewer, task_id)
    if task.completed_at is not None:
        return task
    stamp = clock.now()
    rolled = _rolled(task, aware_utc(stamp))
    if rolled is None:
        done = msgspec.structs.replace(task, completed_at=aware_utc(stamp), updated_at=stamp)
    else:
        done = msgspec.structs.replace(rolled, updated_at=stamp)
    return await _save(db, knowledge, viewer, done)


async def reopen_task(db: Database, knowledge: Knowledge, viewer: str, task_id: str) -> Task:
    task = await get_task(db, viewer, task_id)
    return await _save(db, knowledge, viewer, msgspec.structs.replace(task, completed_at=None, updated_at=clock.now()))


async def keep_task(db: Database, knowledge: Knowledge, viewer: str, task_id: str) -> Task:
    """The member has seen what a sync conflict did to this task: stop flagging it."""
    task = await get_task(db, viewer, task_id)
    return await _save(db, knowledge, viewer, msgspec.structs.replace(task, conflict=None))


async def delete_task(db: Database, knowledge: Knowledge, viewer: str, task_id: str) -> Task:
    task = await get_task(db, viewer, task_id)
    await db.write(_delete, task)
    await knowledge.forget(TASK, task.id)
    return task


async def task_records(db: Database) -> list[Indexable]:
    return [indexable_task(t) for t in await db.read(queries.all_tasks)]


def indexable_task(task: Task) -> Indexable:
    lines = [task.notes] if task.notes else []
    if task.due_date is not None:
        at = f" {task.due_time.strftime('%H:%M')}" if task.due_time else ""
        lines.append(f"Due {task.due_date.isoformat()}{at} ({task.tz})")
    if task.rrule:
        lines.append(f"Repeats: {task.rrule}")
    if task.completed_at is not None:
        lines.append(f"Done {task.completed_at.date().isoformat()}")
    return Indexable(
        type=TASK,
        id=task.id,
        owner_id=index_owner(task.owner_id),
        shared=task.shared,
        source="tasks",
        title=task.title,
        text="\n".join(lines),
        updated_at=task.updated_at,
    )


async def _save(db: Database, knowledge: Knowledge, viewer: str, task: Task) -> Task:
    await db.write(queries.update_task, task)
    await knowledge.index(indexable_task(task))
    return await _with_score(db, viewer, task)


async def _checked(db: Database, viewer: str, task: Task) -> Task:
    """Every rule a task's fields must keep, with its due moment worked out."""
    tz = zone(task.tz)
    if task.due_time is not None and task.due_date is None:
        raise InvalidInput("a due time needs a due date")
    if task.rrule is not None and task.due_date is None:
        raise InvalidInput("a repeating task needs a due date to repeat from")
    start = wall_clock(task.due_date, task.due_time, tz) if task.due_date is not None else None
    rule = checked_rrule(task.rrule, start) if task.rrule is not None and start is not None else None
    await _check_assignee(db, task)
    await _check_calendar(db, viewer, task)
    return msgspec.structs.replace(task, rrule=rule, due_at=start.astimezone(UTC) if start else None)


async def _check_assignee(db: Database, task: Task) -> None:
    if task.assignee_id is None:
        return
    if not task.shared and task.assignee_id != task.owner_id:
        raise InvalidInput("a private task can only be assigned to its owner; share it to assign someone else")
    if not await db.read(queries.member_exists, task.assignee_id):
        raise InvalidInput("the assignee is not an active member of this household")


async def _check_calendar(db: Database, viewer: str, task: Task) -> None:
    if task.calendar_id is None:
        return
    calendar = await get_calendar(db, viewer, task.calendar_id)
    if calendar.shared != task.shared:
        raise InvalidInput("a household task belongs in a household calendar, a private one in a personal calendar")


def _rolled(task: Task, now: datetime) -> Task | None:
    """The task moved to its next occurrence, or None when it does not repeat (any more)."""
    if task.rrule is None or task.due_date is None:
        return None
    tz = zone(task.tz)
    start = wall_clock(task.due_date, task.due_time, tz)
    following, passed = next_after(task.rrule, start, max(start, now.astimezone(tz)))
    rule = with_count_used(task.rrule, passed)
    if following is None or rule is None:
        return None
    return msgspec.structs.replace(
        task,
        due_date=following.date(),
        due_time=following.timetz().replace(tzinfo=None) if task.due_time is not None else None,
        due_at=following.astimezone(UTC),
        rrule=rule,
    )


async def _ranked(db: Database, viewer: str) -> list[Task]:
    tasks = await db.read(queries.visible_tasks, viewer)
    ranking = await _ranking(db, tasks)
    scored = [_scored(task, ranking) for task in tasks]
    return sorted(scored, key=lambda t: (t.completed_at is not None, -t.score, t.created_at, t.id))


async def _with_score(db: Database, viewer: str, task: Task) -> Task:
    return _scored(task, await _ranking(db, await db.read(queries.visible_tasks, viewer)))


async def _ranking(db: Database, tasks: list[Task]) -> Ranking:
    now = now_in(await household_zone(db))
    load = Counter(t.assignee_id for t in tasks if t.completed_at is None)
    return Ranking(today=now.date(), now=now, load=dict(load))


def _scored(task: Task, ranking: Ranking) -> Task:
    points, why = score(task, ranking)
    return msgspec.structs.replace(task, score=points, why=why)


def _has_status(task: Task, status: TaskStatus) -> bool:
    return status == "all" or (status == "done") == (task.completed_at is not None)


def _theirs(task: Task, member_id: str) -> bool:
    return task.assignee_id == member_id or (task.assignee_id is None and task.owner_id in (None, member_id))


def _delete(conn: Writer, task: Task) -> None:
    removed = queries.delete_task(conn, task.id)
    if removed is not None and removed[0] is not None and removed[1] is not None:
        leave_tombstone(conn, removed[0], task.owner_id, removed[1], removed[2])
