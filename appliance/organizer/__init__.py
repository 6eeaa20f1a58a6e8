"""The household organizer: lists, tasks, calendars, reminders, and CalDAV sync.

One folder per thing a member would name; each exposes plain async functions taking the
database (and the knowledge index, where records change) and the member acting, so the web
routes, the control API and later the chat coordinator's tools all call the same code:

    lists/      Shopping, Chores and members' own lists; items added, ticked, removed, cleared
    tasks/      due date and time, priority, assignee, repeat rule; ranked with a one-line why
    calendar/   calendars, events with zones and repeats, range expansion, ICS, subscriptions
    reminders/  fire once, on time or late with a note, through the job worker
    caldav/     two-way sync of events and tasks with the household's CalDAV server

Every record is indexed in Knowledge as it changes; the sources below replay them for a rebuild.
"""

from __future__ import annotations

from appliance.knowledge.sources import register_source
from appliance.organizer.calendar.calendars import EVENT
from appliance.organizer.calendar.events import event_records
from appliance.organizer.lists.lists import LIST, list_records
from appliance.organizer.tasks.tasks import TASK, task_records

__all__ = ["LIST", "TASK", "EVENT"]

register_source(LIST, list_records)
register_source(TASK, task_records)
register_source(EVENT, event_records)
