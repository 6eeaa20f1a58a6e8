"""What a connector's sync works through: its authenticated client, its cursor, and the
member's tasks and events (written through the organizer's own functions, so ranking, search,
the Tasks page and the calendar see them like any other) and searchable records (records.py)."""

from __future__ import annotations

from typing import Any

import msgspec

from appliance.connectors import calendar_items, queries, records
from appliance.connectors.base import RemoteEvent, RemoteOccurrence, RemoteRecord, RemoteTask
from appliance.connectors.connections import Record, save_cursor
from appliance.connectors.http import ServiceHttp
from appliance.errors import NotFound
from appliance.knowledge import Knowledge
from appliance.organizer.calendar.events import delete_event
from appliance.organizer.tasks import tasks as organizer
from appliance.organizer.tasks.shapes import Task, TaskCreate, TaskUpdate
from appliance.storage import Database

__all__ = ["SyncSession"]


class SyncSession:
    def __init__(self, db: Database, knowledge: Knowledge, record: Record, http: ServiceHttp) -> None:
        self.http = http
        self.cursor: dict[str, Any] = dict(record.cursor)
        self.changed: set[str] = set()  # "task", "event": the runner tells those pages
        self.warning: tuple[str, str] | None = None  # what the connection says after a sync that ran
        self._db, self._knowledge, self._record = db, knowledge, record

    async def save_cursor(self, **changes: Any) -> None:
        """Keep the place now (after each page), so an interrupted sync resumes here."""
        self.cursor.update(changes)
        self.cursor = {key: value for key, value in self.cursor.items() if value is not None}
        await save_cursor(self._db, self._record.id, self.cursor)

    def warn(self, problem: str, action: str) -> None:
        """The sync ran, but the member should hear of `problem` (part of what they picked is out
        of reach) and what they can do about it: the connection shows both, still connected."""
        self.warning = (problem, action)

    async def upsert_task(self, item: RemoteTask) -> Task:
        """The member's task for `item`: made, or brought up to date (title, notes, due date, done)."""
        row = await self._db.read(queries.item_row, self._record.id, item.remote_id)
        task = await self._existing(row[1]) if row else None
        if task is None or row is None:
            task = await organizer.create_task(self._db, self._knowledge, self._owner, _draft(item), source="connector")
            task = await self._done_as(task, item.done)
        else:
            task = await self._updated(task, item)
            if item.done != row[4]:  # only a change at the service moves it: a tick in Atom stays
                task = await self._done_as(task, item.done)
        await self._db.write(
            queries.upsert_item, self._record.id, self._owner, item.remote_id, task.id, item.title, item.url, item.done
        )
        self.changed.add("task")
        return task

    async def upsert_event(self, item: RemoteEvent, calendar_name: str) -> None:
        """The member's event for `item`, in the connection's own calendar (`calendar_name` when it makes it)."""
        calendar_id = await calendar_items.ensure_calendar(
            self._db, self._owner, self.cursor.get("calendar_id"), calendar_name
        )
        if calendar_id != self.cursor.get("calendar_id"):
            await self.save_cursor(calendar_id=calendar_id)
        row = await self._db.read(queries.item_row, self._record.id, item.remote_id)
        current = await calendar_items.existing_event(self._db, self._owner, row[1]) if row else None
        event = await calendar_items.write_event(self._db, self._knowledge, self._owner, calendar_id, current, item)
        await self._db.write(
            queries.upsert_item,
            self._record.id,
            self._owner,
            item.remote_id,
            event.id,
            item.title,
            item.url,
            False,
            "event",
        )
        self.changed.add("event")

    async def upsert_occurrence(self, item: RemoteOccurrence) -> bool:
        """One occurrence of a repeating event this connection brought in, cancelled or changed on its
        own; False when that event is not here (not brought in yet, or the member deleted it)."""
        row = await self._db.read(queries.item_row, self._record.id, item.series_id)
        series = (
            await calendar_items.existing_event(self._db, self._owner, row[1]) if row and row[5] == "event" else None
        )
        if series is None:
            return False
        await calendar_items.write_occurrence(self._db, self._knowledge, self._owner, series, item)
        self.changed.add("event")
        return True

    async def upsert_record(self, item: RemoteRecord) -> None:
        """The member's searchable record for `item` (a page, file or message): kept and indexed."""
        row = await self._db.read(queries.item_row, self._record.id, item.remote_id)
        known = row[1] if row and row[5] == "record" else None
        if known is not None and await records.holds(self._db, known, item):
            return  # read again unchanged (a re-read window): nothing to index
        record_id = await records.write_record(
            self._db, self._knowledge, self._owner, self._record.connector, known, item
        )
        await self._db.write(
            queries.upsert_item,
            self._record.id,
            self._owner,
            item.remote_id,
            record_id,
            item.title[:300],
            records.web_url(item.url),
            False,
            "record",
        )
        self.changed.add("record")

    async def open_tasks(self) -> dict[str, str | None]:
        """The tasks this connection brought in that are open at the service as last seen: remote id
        to link (a reconciliation reads those a listing no longer returns)."""
        rows = await self._db.read(queries.connection_items, self._record.id)
        return {row[0]: row[3] for row in rows if row[5] == "task" and not row[4]}

    async def remote_ids(self) -> set[str]:
        """Every item this connection has brought in (a full listing forgets those no longer there)."""
        return {row[0] for row in await self._db.read(queries.connection_items, self._record.id)}

    async def forget(self, remote_id: str) -> None:
        """The item is gone at the service: its task goes too."""
        row = await self._db.read(queries.item_row, self._record.id, remote_id)
        if row is None:
            return
        if row[5] == "record":
            await records.delete_record(self._db, self._knowledge, row[1])
        elif row[5] == "event" and await calendar_items.existing_event(self._db, self._owner, row[1]):
            await delete_event(self._db, self._knowledge, self._owner, row[1])
        elif row[5] == "task" and await self._existing(row[1]) is not None:
            await organizer.delete_task(self._db, self._knowledge, self._owner, row[1])
        await self._db.write(queries.delete_item, self._record.id, remote_id)
        self.changed.add(row[5])

    async def completed_here(self) -> list[str]:
        """Items still open at the service whose task the member completed in Atom."""
        rows = await self._db.read(queries.connection_items, self._record.id)
        done = []
        for remote_id, local_id, _title, _url, remote_done, kind in rows:
            task = None if remote_done or kind != "task" else await self._existing(local_id)
            if task is not None and task.completed_at is not None:
                done.append(remote_id)
        return done

    async def sent_done(self, remote_id: str) -> None:
        """The service has the item closed now."""
        await self._db.write(queries.mark_remote_done, self._record.id, remote_id)

    @property
    def account(self) -> str | None:
        """Who the member is at the service, as their sign-in found (GitHub's login)."""
        return self._record.account

    @property
    def _owner(self) -> str:
        return self._record.owner

    async def _existing(self, task_id: str) -> Task | None:
        try:
            return await organizer.get_task(self._db, self._owner, task_id)
        except NotFound:  # the member deleted it; a change at the service brings it back
            return None

    async def _updated(self, task: Task, item: RemoteTask) -> Task:
        if (task.title, task.notes, task.due_date) == (item.title[:200], item.notes, item.due_date):
            return task
        change = TaskUpdate(title=item.title[:200], notes=item.notes[:20_000], due_date=item.due_date)
        return await organizer.update_task(self._db, self._knowledge, self._owner, task.id, change)

    async def _done_as(self, task: Task, done: bool) -> Task:
        if done and task.completed_at is None:
            return await organizer.complete_task(self._db, self._knowledge, self._owner, task.id)
        if not done and task.completed_at is not None:
            return await organizer.reopen_task(self._db, self._knowledge, self._owner, task.id)
        return task


def _draft(item: RemoteTask) -> TaskCreate:
    return msgspec.convert(
        {
            "title": item.title[:200] or item.remote_id,
            "notes": item.notes[:20_000],
            "due_date": item.due_date,
            "shared": False,
        },
        TaskCreate,
    )
