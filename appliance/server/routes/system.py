"""System status for every member; job history and manual runs for admins."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from appliance.server.auth import admin_only
from appliance.server.deps import DatabaseDep, JobsDep, RuntimeDep
from appliance.system import jobs as job_history
from appliance.system.backup import BackupFile
from appliance.system.shapes import JobRun, SystemStatus
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
async def run_job(db: DatabaseDep, jobs: JobsDep, name: FromPath[str]) -> QueuedJob:
    """Queue a built-in job now; the worker runs it (after a restart, if it is down)."""
    job_id = await asyncio.to_thread(jobs.enqueue, name)
    await job_history.record_queued(db, job_id, name)
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
