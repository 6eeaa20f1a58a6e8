"""Tasks' SQL, in one place."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from appliance.organizer.scope import VISIBLE
from appliance.organizer.tasks.shapes import Task
from appliance.organizer.timing import aware_utc, naive_utc, wall_clock
from appliance.storage import Reader, Writer

__all__ = [
    "COLUMNS",
    "task_from_row",
    "visible_tasks",
    "one_task",
    "all_tasks",
    "insert_task",
    "replace_from_server",
    "update_task",
    "delete_task",
    "kept_ics",
    "member_exists",
    "due_at",
]

COLUMNS = (
    "id, title, notes, owner, calendar_id, due_date, due_time, tz, priority, assignee, rrule, source,"
    " completed_at, created_by, created_at, updated_at, conflict"
)
_SELECT = f"SELECT {COLUMNS} FROM organizer_tasks"


def due_at(task: Task) -> Any:
    """The due moment as the database keeps it (naive UTC), or None."""
    return naive_utc(task.due_at) if task.due_at is not None else None


def task_from_row(row: tuple[Any, ...]) -> Task:
    due_date, due_time, tz = row[5], row[6], row[7]
    moment = wall_clock(due_date, due_time, ZoneInfo(tz)) if due_date is not None else None
    return Task(
        id=row[0],
        title=row[1],
        notes=row[2],
        owner_id=row[3],
        shared=row[3] is None,
        calendar_id=row[4],
        due_date=due_date,
        due_time=due_time,
        tz=tz,
        due_at=aware_utc(naive_utc(moment)) if moment is not None else None,
        priority=row[8],
        assignee_id=row[9],
        rrule=row[10],
        source=row[11],
        completed_at=aware_utc(row[12]) if row[12] is not None else None,
        created_by=row[13],
        created_at=row[14],
        updated_at=row[15],
        conflict=row[16],
    )


def visible_tasks(conn: Reader, viewer: str) -> list[Task]:
    rows = conn.execute(f"{_SELECT} WHERE {VISIBLE} ORDER BY created_at, id", [viewer]).fetchall()
    return [task_from_row(r) for r in rows]


def one_task(conn: Reader, task_id: str) -> Task | None:
    row = conn.execute(f"{_SELECT} WHERE id = ?", [task_id]).fetchone()
    return task_from_row(row) if row else None


def all_tasks(conn: Reader) -> list[Task]:
    return [task_from_row(r) for r in conn.execute(f"{_SELECT} ORDER BY id").fetchall()]


def member_exists(conn: Reader, user_id: str) -> bool:
    return conn.execute("SELECT 1 FROM users WHERE id = ? AND NOT disabled", [user_id]).fetchone() is not None


def _values(task: Task) -> list[Any]:
    return [
        task.title,
        task.notes,
        task.owner_id,
        task.calendar_id,
        task.due_date,
        task.due_time,
        task.tz,
        task.priority,
        task.assignee_id,
        task.rrule,
        task.source,
        naive_utc(task.completed_at) if task.completed_at else None,
        task.updated_at,
        task.conflict,
    ]


def insert_task(
    conn: Writer,
    task: Task,
    uid: str,
    href: str | None = None,
    etag: str | None = None,
    dirty: bool = True,
    ics: str | None = None,
) -> None:
    """A new task; one that came from a CalDAV server arrives with its href, ETag and VTODO, clean."""
    conn.execute(
        "INSERT INTO organizer_tasks (title, notes, owner, calendar_id, due_date, due_time, tz, priority, assignee,"
        " rrule, source, completed_at, updated_at, conflict, id, uid, created_by, created_at, href, etag, dirty, ics)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [*_values(task), task.id, uid, task.created_by, task.created_at, href, etag, dirty, ics],
    )


def replace_from_server(conn: Writer, task: Task, href: str, etag: str | None, ics: str | None = None) -> None:
    """The server's version, as it is there (its VTODO kept whole): clean."""
    update_task(conn, task)
    conn.execute(
        "UPDATE organizer_tasks SET href = ?, etag = ?, ics = ?, dirty = false WHERE id = ?",
        [href, etag, ics, task.id],
    )


def kept_ics(conn: Reader, task_id: str) -> str | None:
    """The task's VTODO as a CalDAV server last had it (None: never synced, or Atom's own)."""
    row = conn.execute("SELECT ics FROM organizer_tasks WHERE id = ?", [task_id]).fetchone()
    return row[0] if row else None


def update_task(conn: Writer, task: Task) -> None:
    """Changed here: the next CalDAV sync sends it."""
    conn.execute(
        "UPDATE organizer_tasks SET title = ?, notes = ?, owner = ?, calendar_id = ?, due_date = ?, due_time = ?,"
        " tz = ?, priority = ?, assignee = ?, rrule = ?, source = ?, completed_at = ?, updated_at = ?, conflict = ?,"
        " dirty = true WHERE id = ?",
        [*_values(task), task.id],
    )


def delete_task(conn: Writer, task_id: str) -> tuple[str | None, str | None, str | None] | None:
    """(calendar, href, etag) of the deleted task, so a synced one leaves a tombstone."""
    row = conn.execute(
        "DELETE FROM organizer_tasks WHERE id = ? RETURNING calendar_id, href, etag", [task_id]
    ).fetchone()
    return (row[0], row[1], row[2]) if row else None
