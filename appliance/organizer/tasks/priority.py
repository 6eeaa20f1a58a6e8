"""Smart prioritisation: a score from due date, priority, age, the assignee's load and source.

Each part adds points and a few words; the explanation is the words of the parts that weigh most.
Pure functions of the task and the moment, so a test pins the clock and checks the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from appliance.organizer.tasks.shapes import Task

__all__ = ["Ranking", "score"]

_PRIORITY = {"high": (25.0, "high priority"), "normal": (10.0, ""), "low": (0.0, "low priority")}
_SOURCE = {
    "member": (3.0, ""),
    "caldav": (2.0, ""),
    "connector": (2.0, ""),
    "import": (1.0, ""),
    "assistant": (0.0, "suggested by Atom"),
}
_BUSY = 5  # open tasks an assignee can carry before it shows


@dataclass(frozen=True)
class Ranking:
    today: date
    """Today in the household's zone."""
    now: datetime
    """Now, aware."""
    load: dict[str | None, int]
    """Open tasks per assignee (None: unassigned)."""


def score(task: Task, ranking: Ranking) -> tuple[float, str]:
    if task.completed_at is not None:
        return 0.0, "done"
    parts = [
        _due(task, ranking),
        _PRIORITY[task.priority],
        _age(task, ranking),
        _load(task, ranking),
        _SOURCE[task.source],
    ]
    total = round(sum(points for points, _ in parts), 1)
    said = [words for points, words in sorted(parts, key=lambda p: -p[0]) if words][:2]
    return total, " · ".join(said) or "no due date"


def _due(task: Task, ranking: Ranking) -> tuple[float, str]:
    if task.due_date is None:
        return 0.0, ""
    days = (task.due_date - ranking.today).days
    if days < 0:
        return 50.0 + min(-days, 10) * 3, f"overdue by {_days(-days)}"
    if days == 0:
        if task.due_time is not None and task.due_at is not None and task.due_at < ranking.now:
            return 55.0, "overdue since " + task.due_time.strftime("%H:%M")
        return 45.0, "due today"
    if days == 1:
        return 32.0, "due tomorrow"
    if days <= 7:
        return 25.0 - 2 * days, f"due in {days} days"
    return max(0.0, 10.0 - days / 7), f"due {task.due_date.isoformat()}"


def _age(task: Task, ranking: Ranking) -> tuple[float, str]:
    days = max(0, (ranking.now.astimezone(UTC).replace(tzinfo=None) - task.created_at).days)
    return min(days, 28) / 28 * 10, f"waiting {_days(days)}" if days >= 7 else ""


def _load(task: Task, ranking: Ranking) -> tuple[float, str]:
    if task.assignee_id is None:
        return 5.0, "nobody has taken it"
    carried = ranking.load.get(task.assignee_id, 0)
    if carried <= _BUSY:
        return 0.0, ""
    return min(carried - _BUSY, 6) * 1.0, f"its assignee has {carried} open tasks"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
