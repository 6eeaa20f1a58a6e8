"""Todoist tasks as the member's tasks in Atom."""

from __future__ import annotations

from appliance.connectors.base import RemoteTask
from appliance.connectors.services.todoist.api import Item

__all__ = ["as_task", "task_url"]


def task_url(item_id: str) -> str:
    return f"https://app.todoist.com/app/task/{item_id}"


def as_task(item: Item) -> RemoteTask:
    url = task_url(item.id)
    notes = f"{item.description}\n\nTodoist: {url}" if item.description else f"Todoist: {url}"
    return RemoteTask(
        remote_id=item.id,
        title=item.content or "(untitled)",
        notes=notes,
        url=url,
        done=item.checked,
        due_date=item.due_date,
    )
