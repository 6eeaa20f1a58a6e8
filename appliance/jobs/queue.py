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

    def enqueue(self, name: str) -> str:
        """Queue a job by name; returns its id. The worker runs it, now or after a restart."""
        wrapper = self._tasks.get(name)
        if wrapper is None:
            raise NotFound(f"no job named {name!r}")
        return wrapper().id

    def pending_count(self) -> int:
        return self.huey.pending_count()
