"""Asana tasks assigned to the member, as their tasks in Atom."""

from __future__ import annotations

from appliance.connectors.base import RemoteTask
from appliance.connectors.services.asana.api import AsanaTask

__all__ = ["as_task"]


def as_task(task: AsanaTask) -> RemoteTask:
    url = task.permalink_url or f"https://app.asana.com/0/0/{task.gid}/f"
    notes = f"{task.notes.strip()}\n\nAsana: {url}" if task.notes.strip() else f"Asana: {url}"
    return RemoteTask(
        remote_id=task.gid,
        title=task.name or "(untitled)",
        notes=notes,
        url=url,
        done=task.completed,
        due_date=task.due_on,
    )
