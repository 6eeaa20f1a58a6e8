"""The worker reports each job's start and end to the server, which keeps the history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from huey import SqliteHuey, signals

from appliance.errors import ServiceUnavailable
from appliance.jobs.client import ServerClient
from appliance.system.shapes import JobRunReport, JobState

__all__ = ["report_job_history"]

log = logging.getLogger(__name__)
_STATES: dict[str, JobState] = {
    signals.SIGNAL_EXECUTING: "running",
    signals.SIGNAL_COMPLETE: "succeeded",
    signals.SIGNAL_ERROR: "failed",
}


def report_job_history(huey: SqliteHuey, server: Callable[[], ServerClient]) -> None:
    @huey.signal(*_STATES)
    def on_job_signal(signal: str, task: Any, exc: BaseException | None = None) -> None:
        detail = f"{type(exc).__name__}: {exc}" if exc is not None else ""
        report = JobRunReport(id=task.id, name=task.name, state=_STATES[signal], detail=detail[:500])
        try:
            server().call("POST", "/api/control/job-runs", report)
        except ServiceUnavailable as error:
            log.warning("job history not reported: %s", error)
