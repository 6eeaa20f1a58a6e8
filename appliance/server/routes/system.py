"""System status for every member; job history and manual runs for admins."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from appliance.errors import ServiceUnavailable
from appliance.events import EVERYONE, Event
from appliance.server.auth import admin_only
from appliance.server.deps import BusDep, DatabaseDep, JobsDep, RuntimeDep
from appliance.system import jobs as job_history
from appliance.system.backup import BackupFile
from appliance.system.shapes import JobRun, JobRunReport, SystemStatus
from appliance.system.status import system_status

__all__ = ["routes"]


class QueuedJob(msgspec.Struct, frozen=True):
    id: str
    name: str


@get("/api/system/status", tags=["system"])
async def status(runtime: RuntimeDep) -> SystemStatus:
    return await system_status(runtime.settings, runtime.db, runtime.jobs.pending_count)


@get("/api/system/jobs", tags=["system"], guards=[admin_only])
async def job_runs(db: DatabaseDep) -> list[JobRun]:
    return await job_history.recent_runs(db)


@post("/api/system/jobs/{name:str}", tags=["system"], guards=[admin_only], status_code=HTTP_202_ACCEPTED)
async def run_job(db: DatabaseDep, bus: BusDep, jobs: JobsDep, name: FromPath[str]) -> QueuedJob:
    """Queue a built-in job now; the worker runs it (after a restart, if it is down).

    The run is recorded as queued before it is enqueued: a worker that is idle runs it at once, and
    its reports must find the run already there (a quiet job's reports are otherwise dropped)."""
    jobs.check(name)
    job_id = str(uuid.uuid4())
    await job_history.record_queued(db, job_id, name)
    try:
        await asyncio.to_thread(jobs.enqueue, name, job_id)
    except sqlite3.Error as error:  # Huey's queue is a SQLite file
        await job_history.record_report(db, JobRunReport(id=job_id, name=name, state="failed", detail="not queued"))
        raise ServiceUnavailable("the job queue could not take the job; try again") from error
    finally:
        bus.publish(Event(topic="jobs", action="updated", id=job_id), [EVERYONE])
    return QueuedJob(id=job_id, name=name)


@get("/api/system/backups", tags=["system"], guards=[admin_only])
async def backups(runtime: RuntimeDep) -> list[BackupFile]:
    """The backups in the backup folder, newest first; `ok` is false for one being written or cut short."""
    return await asyncio.to_thread(runtime.backups.list)


@post("/api/system/backups", tags=["system"], guards=[admin_only], status_code=HTTP_201_CREATED)
async def back_up_now(runtime: RuntimeDep) -> BackupFile:
    """Make a backup now, encrypted to the household key; answers when it is complete."""
    return await asyncio.to_thread(runtime.backups.run)


routes = [status, job_runs, run_job, backups, back_up_now]
