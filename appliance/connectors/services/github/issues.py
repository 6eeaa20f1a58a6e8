"""GitHub issues assigned to the member, as their tasks."""

from __future__ import annotations

from appliance.connectors.base import RemoteTask
from appliance.connectors.services.github.api import Issue

__all__ = ["as_task"]


def as_task(issue: Issue) -> RemoteTask:
    where = issue.repository.full_name if issue.repository else "GitHub"
    kind = "Pull request" if issue.pull_request is not None else "Issue"
    notes = f"{kind} {where}#{issue.number}: {issue.html_url}"
    return RemoteTask(
        remote_id=str(issue.id),
        title=f"{issue.title} ({where}#{issue.number})",
        notes=notes,
        url=issue.html_url,
        done=issue.state == "closed",
    )
