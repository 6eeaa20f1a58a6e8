"""Home page panels: one per capability, each a template, the topics that refresh it, and a loader.

A capability adds its panel to `PANELS` when it lands; the home page and the
live refresh pick it up from here. The home page is the household's day (what is due,
what is on, what to buy, recent chats); how Atom itself is doing lives on the System page,
and sign-ins and tokens on My account.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from appliance.accounts import users
from appliance.accounts.shapes import Principal
from appliance.ai import conversations
from appliance.connectors import list_connections
from appliance.events import Topic
from appliance.organizer.calendar.views import list_occurrences
from appliance.organizer.household import household_zone
from appliance.organizer.lists.lists import list_lists
from appliance.organizer.reminders.reminders import list_reminders
from appliance.organizer.tasks.tasks import today_tasks
from appliance.organizer.timing import aware_utc, now_in
from appliance.runtime import Runtime
from appliance.server.pages.usage import load_usage
from appliance.system.status import backup_status

__all__ = ["Panel", "PANELS", "panel_named"]

_SHOWN = 6  # a glance, not the whole page: each panel links to where the rest is
Loader = Callable[[Runtime, Principal], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Panel:
    name: str
    title: str
    topics: tuple[Topic, ...]
    load: Loader

    @property
    def template(self) -> str:
        return f"panels/{self.name}.html"

    @property
    def fragment_url(self) -> str:
        return f"/fragments/panels/{self.name}"


async def _household(runtime: Runtime, me: Principal) -> dict[str, Any]:
    """The members; for admins also the last good backup (the household's safety net, at a glance)."""
    backup = await asyncio.to_thread(backup_status, runtime.settings) if me.is_admin else None
    return {"members": await users.list_users(runtime.db), "backup": backup}


async def _today(runtime: Runtime, me: Principal) -> dict[str, Any]:
    """My day in the household's time zone: tasks due, events, and reminders still to come today."""
    db, zone = runtime.db, await household_zone(runtime.db)
    start = now_in(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    due = [(r, aware_utc(r.remind_at).astimezone(zone)) for r in await list_reminders(db, me.user_id)]
    return {
        "tasks": (await today_tasks(db, me.user_id, me.user_id))[:_SHOWN],
        "events": (await list_occurrences(db, me.user_id, start, end))[:_SHOWN],
        "reminders": [(r, at) for r, at in due if at < end][:_SHOWN],  # each with its time in the household's zone
    }


async def _lists(runtime: Runtime, me: Principal) -> dict[str, Any]:
    return {"lists": (await list_lists(runtime.db, me.user_id))[:_SHOWN]}


async def _chats(runtime: Runtime, me: Principal) -> dict[str, Any]:
    return {"conversations": (await conversations.list_conversations(runtime.db, me.user_id))[:_SHOWN]}


async def _knowledge(_: Runtime, __: Principal) -> dict[str, Any]:
    return {}  # a search box and links: nothing to load, nothing to go stale while someone types


async def _connections(runtime: Runtime, me: Principal) -> dict[str, Any]:
    """The member's connections, those that need them first (a revoked sign-in, a failing sync)."""
    mine = await list_connections(runtime.db, me.user_id)
    return {"connections": sorted(mine, key=lambda c: c.state not in ("needs-sign-in", "error"))[:_SHOWN]}


async def _ai_month(runtime: Runtime, me: Principal) -> dict[str, Any]:
    return {"usage": await load_usage(runtime.db, me)}


PANELS: tuple[Panel, ...] = (
    Panel("today", "Today", ("tasks", "calendar", "reminders"), _today),
    Panel("lists", "Lists", ("lists",), _lists),
    Panel("chats", "Recent chats", ("conversations",), _chats),
    Panel("knowledge", "Notes and documents", (), _knowledge),
    Panel("household", "Household", ("members", "jobs"), _household),  # jobs: a backup run ending
    Panel("connections", "Connections", ("connections",), _connections),
    Panel("ai", "AI this month", ("ai-usage", "ai-preferences"), _ai_month),  # every ledger entry; a new budget
)


def panel_named(name: str) -> Panel | None:
    return next((panel for panel in PANELS if panel.name == name), None)
