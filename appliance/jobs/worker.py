"""`atom worker`: the Huey consumer, in a process of its own (it installs signal handlers)."""

from __future__ import annotations

from appliance.jobs.client import lazy_server_client
from appliance.jobs.history import report_job_history
from appliance.jobs.queue import make_huey
from appliance.jobs.tasks import register_tasks
from appliance.settings import Settings

__all__ = ["run_worker"]


def run_worker(settings: Settings) -> None:
    """Consume jobs until SIGINT (finish running jobs) or SIGTERM (stop now)."""
    huey = make_huey(settings)
    register_tasks(huey, settings)

    report_job_history(huey, lazy_server_client(settings))
    consumer = huey.create_consumer(workers=settings.jobs.workers, worker_type="thread", periodic=True)
    consumer.run()
