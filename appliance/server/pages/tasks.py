"""Tasks: the member's day, every open task ranked with its reason, the household's lists, reminders.

Each part is a live region: a change by anyone in the household (or in another tab) re-renders
it from the same functions the API uses. Forms post to the API (`web/static/js/forms.js`).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from appliance.accounts import users
from appliance.accounts.shapes import Principal
from appliance.organizer.lists import lists
from appliance.organizer.reminders import reminders
from appliance.organizer.tasks import tasks
from appliance.server.deps import DatabaseDep
from appliance.server.pages.authors import FORMER_MEMBER
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.storage import Database

__all__ = ["pages", "fragments"]

REPEATS = (
    ("", "Does not repeat"),
    ("FREQ=DAILY", "Every day"),
    ("FREQ=WEEKLY", "Every week"),
    ("FREQ=MONTHLY", "Every month"),
    ("FREQ=YEARLY", "Every year"),
)


@get("/tasks", include_in_schema=False)
async def tasks_page(request: Request, db: DatabaseDep) -> Template:
    me = viewer(request)
    return member_page(
        request,
        "tasks.html",
        "Tasks",
        **await _tasks(db, me),
        **await _lists(db, me),
        **await _reminders(db, me),
        members=[m for m in await users.list_users(db) if not m.disabled],
        repeats=REPEATS,
    )


@get("/fragments/tasks", include_in_schema=False)
async def tasks_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/tasks_list.html", **await _tasks(db, viewer(request)))


@get("/fragments/lists", include_in_schema=False)
async def lists_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/todo_lists.html", **await _lists(db, viewer(request)))


@get("/fragments/reminders", include_in_schema=False)
async def reminders_fragment(request: Request, db: DatabaseDep) -> Template:
    return fragment(request, "partials/reminders_list.html", **await _reminders(db, viewer(request)))


async def _tasks(db: Database, me: Principal) -> dict[str, Any]:
    today = await tasks.today_tasks(db, me.user_id, me.user_id)
    shown_today = {t.id for t in today}
    open_tasks = await tasks.list_tasks(db, me.user_id)
    return {
        "today": today,
        "others": [t for t in open_tasks if t.id not in shown_today],
        "names": {m.id: m.display_name for m in await users.list_users(db)},
        "former": FORMER_MEMBER,
    }


async def _lists(db: Database, me: Principal) -> dict[str, Any]:
    found = await lists.list_lists(db, me.user_id)
    return {"todo_lists": [(todo, await lists.list_items(db, me.user_id, todo.id)) for todo in found]}


async def _reminders(db: Database, me: Principal) -> dict[str, Any]:
    return {"reminders": await reminders.list_reminders(db, me.user_id)}


pages = [tasks_page]
fragments = [tasks_fragment, lists_fragment, reminders_fragment]
