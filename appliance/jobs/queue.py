"""The job queue as the server sees it: enqueue by name, count what waits."""

from __future__ import annotations

from huey import SqliteHuey
from huey.api import TaskWrapper

from appliance.errors import NotFound
from appliance.settings import Settings

__all__ = ["JobQueue", "make_huey"]


def make_huey(settings: Settings) -> SqliteHuey:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name="atom", filename=str(settings.queue_path), utc=True)


class JobQueue:
    def __init__(self, settings: Settings) -> None:
        from appliance.jobs.tasks import register_tasks

        self.huey = make_huey(settings)
        self._tasks: dict[str, TaskWrapper] = register_tasks(self.huey, settings)

    @property
    def names(self) -> list[str]:
        return sorted(self._tasks)

    def check(self, name: str) -> None:
        """NotFound unless a job of this name exists."""
        if name not in self._tasks:
            raise NotFound(f"no job named {name!r}")

    def enqueue(self, name: str, job_id: str | None = None) -> str:
        """Queue a job by name, under `job_id` when given; returns its id. The worker runs it, now or
        after a restart. Naming the id lets the caller record the run before the worker can report it."""
        self.check(name)
        return self.huey.enqueue(self._tasks[name].s(id=job_id)).id

    def pending_count(self) -> int:
        return self.huey.pending_count()
