"""Reminders a member sets for themselves, and firing the due ones: never lost, announced once.

The worker asks every minute (`deliver_due`, through the control API). Delivery has two steps:

1. Claim. One transaction on the database's single writer claims every due reminder for this
   server run, under a lease (`claimed_by`, `claimed_until`), so two askers or a retry never take
   the same one.
2. Deliver, then record. Each claimed reminder goes to the member's pages and announcers, and
   only then is `fired_at` set (by the run holding the claim).

If Atom dies between the two (killed, power cut), the reminder is still unfired and its claim
names a run that has ended: the next run takes it again at once (only one process can own the
database, so a claim by another run is a dead one). Within one run, a claim whose lease ran out
(a delivery that hung) is taken again too. A reminder found due well after its time (Atom was off,
or the worker was) still fires, with a note saying how late it is. The one window left is between
handing a reminder over and recording it, microseconds long: a crash there delivers it again, with
the same id, which the page shows and notifies only once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from appliance import clock
from appliance.errors import InvalidInput, NotFound
from appliance.events import Event, EventBus
from appliance.organizer.calendar.events import get_event
from appliance.organizer.household import household_zone
from appliance.organizer.reminders.hooks import ReminderAnnouncers
from appliance.organizer.reminders.shapes import FiredReminder, FireReport, Reminder, ReminderCreate, ReminderState
from appliance.organizer.tasks.tasks import get_task
from appliance.organizer.timing import aware_utc, naive_utc
from appliance.storage import Database, Reader, Writer

__all__ = [
    "LATE_AFTER",
    "MAX_PENDING",
    "list_reminders",
    "create_reminder",
    "delete_reminder",
    "fire_due",
    "claim_due",
    "deliver_due",
    "THIS_RUN",
    "LEASE",
]

LATE_AFTER = timedelta(minutes=2)  # the worker asks every minute; later than this, Atom was not asking
MAX_PENDING = 500  # per member
LEASE = timedelta(minutes=5)  # longer than any delivery takes (each announcer is cut off well before)
THIS_RUN = uuid.uuid4().hex  # this server process's claims; a claim by any other run is a dead one
_COLUMNS = "id, user_id, title, task_id, event_id, remind_at, fired_at, late_note, created_at"


async def list_reminders(db: Database, user_id: str, state: ReminderState = "pending") -> list[Reminder]:
    return [r for r in await db.read(_of_member, user_id) if _in_state(r, state)]


async def create_reminder(db: Database, user_id: str, new: ReminderCreate) -> Reminder:
    title, default_at = await _subject(db, user_id, new)
    zone = await household_zone(db)
    at = _moment(new.at, zone) if new.at is not None else default_at
    if at is None:
        raise InvalidInput("say when: give `at`, or a task that has a due time")
    if at < aware_utc(clock.now()) - LATE_AFTER:
        raise InvalidInput("that time has passed; a reminder is for later")
    reminder = Reminder(
        id=uuid.uuid4().hex,
        title=title,
        remind_at=at,
        task_id=new.task_id,
        event_id=new.event_id,
        fired_at=None,
        late_note=None,
        created_at=clock.now(),
    )
    if not await db.write(_insert, user_id, reminder):
        raise InvalidInput(f"you already have {MAX_PENDING} reminders waiting")
    return reminder


async def delete_reminder(db: Database, user_id: str, reminder_id: str) -> Reminder:
    removed = await db.write(_delete, user_id, reminder_id)
    if removed is None:
        raise NotFound("no such reminder")
    return removed


async def claim_due(db: Database, run: str = THIS_RUN) -> list[FiredReminder]:
    """Claim every unfired reminder due by now that no live delivery holds, in one transaction."""
    zone = await household_zone(db)
    return await db.write(_claim_due, clock.now(), zone, run)


async def fire_due(db: Database, run: str = THIS_RUN) -> list[FiredReminder]:
    """Claim what is due and record it fired, handing it to nobody (deliver_due is what the worker asks)."""
    return [r for r in await claim_due(db, run) if await db.write(_record_fired, r, run)]


async def deliver_due(db: Database, bus: EventBus, announcers: ReminderAnnouncers, run: str = THIS_RUN) -> FireReport:
    """Fire what is due: to the member's open pages (live, topic `reminders`) and to every announcer;
    each is recorded fired only once it was handed over."""
    fired = []
    for reminder in await claim_due(db, run):
        bus.publish(Event(topic="reminders", action="created", id=reminder.id, data=reminder), [reminder.user_id])
        await announcers.announce(reminder)
        if await db.write(_record_fired, reminder, run):
            fired.append(reminder)
    return FireReport(fired=len(fired), late=sum(r.late for r in fired))


async def _subject(db: Database, user_id: str, new: ReminderCreate) -> tuple[str, datetime | None]:
    """The title to show and the default time, from the task or event it is about (which must be visible)."""
    if new.task_id is not None and new.event_id is not None:
        raise InvalidInput("a reminder is about one task or one event, not both")
    if new.task_id is not None:
        task = await get_task(db, user_id, new.task_id)
        return new.title or task.title, task.due_at
    if new.event_id is not None:
        event = await get_event(db, user_id, new.event_id)
        return new.title or event.title, None
    if new.title is None:
        raise InvalidInput("say what to remind you of: a title, a task or an event")
    return new.title, None


def _moment(at: datetime, zone: ZoneInfo) -> datetime:
    return (at.replace(tzinfo=zone) if at.tzinfo is None else at).astimezone(ZoneInfo("UTC"))


def _claim_due(conn: Writer, now: datetime, zone: ZoneInfo, run: str) -> list[FiredReminder]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM organizer_reminders WHERE fired_at IS NULL AND remind_at <= ?"
        " AND (claimed_by IS NULL OR claimed_by <> ? OR claimed_until <= ?) ORDER BY remind_at, id",
        [now, run, now],
    ).fetchall()
    claimed = [_fired(row, now, zone) for row in rows]
    for reminder in claimed:
        conn.execute(
            "UPDATE organizer_reminders SET claimed_by = ?, claimed_until = ? WHERE id = ?",
            [run, now + LEASE, reminder.id],
        )
    return claimed


def _record_fired(conn: Writer, reminder: FiredReminder, run: str) -> bool:
    """Fired, by the run that holds the claim (a run whose lease was taken over records nothing)."""
    row = conn.execute(
        "UPDATE organizer_reminders SET fired_at = ?, late_note = ? WHERE id = ? AND claimed_by = ?"
        " AND fired_at IS NULL RETURNING id",
        [naive_utc(reminder.fired_at), reminder.note, reminder.id, run],
    ).fetchone()
    return row is not None


def _fired(row: tuple[Any, ...], now: datetime, zone: ZoneInfo) -> FiredReminder:
    due = row[5]
    late = now - due > LATE_AFTER
    return FiredReminder(
        id=row[0],
        user_id=row[1],
        title=row[2],
        task_id=row[3],
        event_id=row[4],
        remind_at=aware_utc(due),
        fired_at=aware_utc(now),
        late=late,
        note=_late_note(due, now, zone) if late else None,
    )


def _late_note(due: datetime, now: datetime, zone: ZoneInfo) -> str:
    local = aware_utc(due).astimezone(zone)
    minutes = int((now - due).total_seconds() // 60)
    delay = (
        f"{minutes} minutes"
        if minutes < 120
        else f"{minutes // 60} hours"
        if minutes < 2880
        else f"{minutes // 1440} days"
    )
    return f"Late by {delay}: this was due at {local:%H:%M} on {local:%a %d %b} while Atom was not running."


def _in_state(reminder: Reminder, state: ReminderState) -> bool:
    return state == "all" or (state == "fired") == (reminder.fired_at is not None)


def _reminder(row: tuple[Any, ...]) -> Reminder:
    return Reminder(
        id=row[0],
        title=row[2],
        task_id=row[3],
        event_id=row[4],
        remind_at=aware_utc(row[5]),
        fired_at=aware_utc(row[6]) if row[6] is not None else None,
        late_note=row[7],
        created_at=row[8],
    )


def _of_member(conn: Reader, user_id: str) -> list[Reminder]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM organizer_reminders WHERE user_id = ? ORDER BY remind_at, id", [user_id]
    ).fetchall()
    return [_reminder(r) for r in rows]


def _insert(conn: Writer, user_id: str, reminder: Reminder) -> bool:
    waiting = conn.execute(
        "SELECT count(*) FROM organizer_reminders WHERE user_id = ? AND fired_at IS NULL", [user_id]
    ).fetchone()
    if waiting is not None and waiting[0] >= MAX_PENDING:
        return False
    conn.execute(
        f"INSERT INTO organizer_reminders ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?)",
        [
            reminder.id,
            user_id,
            reminder.title,
            reminder.task_id,
            reminder.event_id,
            naive_utc(reminder.remind_at),
            reminder.created_at,
        ],
    )
    return True


def _delete(conn: Writer, user_id: str, reminder_id: str) -> Reminder | None:
    row = conn.execute(
        f"DELETE FROM organizer_reminders WHERE id = ? AND user_id = ? RETURNING {_COLUMNS}", [reminder_id, user_id]
    ).fetchone()
    return _reminder(row) if row else None
