"""What the organizer tools share: finding a list, task or event by the words a member used, and
telling the pages that show it (the same live topics the organizer's own routes publish)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from appliance.assistant.context import ToolContext
from appliance.events import Action, Topic
from appliance.organizer.calendar.shapes import Occurrence
from appliance.organizer.calendar.views import list_occurrences
from appliance.organizer.lists.lists import list_lists
from appliance.organizer.lists.shapes import TodoList
from appliance.organizer.live import announce
from appliance.organizer.tasks.shapes import Task
from appliance.organizer.tasks.tasks import list_tasks

__all__ = ["find_list", "find_task", "find_occurrence", "tell", "day_range", "DEFAULT_LIST"]

DEFAULT_LIST = "shopping"  # "add milk" with no list named


async def find_list(ctx: ToolContext, name: str | None) -> TodoList | None:
    wanted = (name or DEFAULT_LIST).strip().lower().removesuffix(" list")
    lists = await list_lists(ctx.services.db, ctx.user_id)
    return next((todo for todo in lists if todo.name.lower() == wanted), None) or next(
        (todo for todo in lists if wanted in todo.name.lower()), None
    )


async def find_task(ctx: ToolContext, words: str) -> Task | None:
    """The open task whose title best matches: exact, then containing, then sharing most words."""
    wanted = words.strip().lower()
    tasks = await list_tasks(ctx.services.db, ctx.user_id)
    open_tasks = [t for t in tasks if t.completed_at is None]
    exact = [t for t in open_tasks if t.title.lower() == wanted]
    containing = [t for t in open_tasks if wanted in t.title.lower() or t.title.lower() in wanted]
    best = exact or containing or _most_shared(open_tasks, wanted)
    return best[0] if best else None


async def find_occurrence(ctx: ToolContext, words: str, days: int = 60) -> Occurrence | None:
    """The next occurrence (within `days`) whose title best matches the words."""
    start = ctx.now - timedelta(hours=1)
    found = await list_occurrences(ctx.services.db, ctx.user_id, start, start + timedelta(days=days))
    wanted = words.strip().lower()
    matching = [o for o in found if wanted in o.title.lower() or o.title.lower() in wanted]
    best = matching or _most_shared(found, wanted)
    return best[0] if best else None


def tell(ctx: ToolContext, topic: Topic, action: Action, item_id: str, owner: str | None) -> None:
    announce(ctx.services.bus, topic, action, item_id, owner)


def day_range(moment: datetime, days: int = 1) -> tuple[datetime, datetime]:
    start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=days)


class _Titled(Protocol):
    @property
    def title(self) -> str: ...


T = TypeVar("T", bound=_Titled)


def _most_shared(things: Sequence[T], wanted: str) -> list[T]:
    words = set(wanted.split())
    scored = [(len(words & set(t.title.lower().split())), t) for t in things]
    best = max((s for s, _ in scored), default=0)
    return [t for s, t in scored if s == best and s > 0]
