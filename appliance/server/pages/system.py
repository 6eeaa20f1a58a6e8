"""System status for every member; recent jobs, "run now" and backups for the admin."""

from __future__ import annotations

import asyncio

from litestar import Request, get
from litestar.response import Template

from appliance.runtime import Runtime
from appliance.server.auth import admin_only
from appliance.server.deps import RuntimeDep
from appliance.server.pages.view import fragment, member_page, viewer
from appliance.system import jobs as job_history
from appliance.system.shapes import JobRun, SystemStatus
from appliance.system.status import system_status

__all__ = ["pages", "fragments", "load_status"]


@get("/system", include_in_schema=False)
async def system_page(request: Request, runtime: RuntimeDep) -> Template:
    status, runs = await load_status(runtime), await _runs_for(request, runtime)
    backups = await asyncio.to_thread(runtime.backups.list) if viewer(request).is_admin else []
    job_names = [name for name in runtime.jobs.names if name != "backup"]  # the backups card has its own button
    return member_page(request, "system.html", "System", status=status, runs=runs, job_names=job_names, backups=backups)


@get("/fragments/system-status", include_in_schema=False)
async def status_fragment(request: Request, runtime: RuntimeDep) -> Template:
    return fragment(request, "partials/system_status.html", status=await load_status(runtime))


@get("/fragments/job-runs", include_in_schema=False, guards=[admin_only])
async def job_runs_fragment(request: Request, runtime: RuntimeDep) -> Template:
    return fragment(request, "partials/job_runs.html", runs=await job_history.recent_runs(runtime.db))


@get("/fragments/backups", include_in_schema=False, guards=[admin_only])
async def backups_fragment(request: Request, runtime: RuntimeDep) -> Template:
    return fragment(request, "partials/backups_list.html", backups=await asyncio.to_thread(runtime.backups.list))


async def load_status(runtime: Runtime) -> SystemStatus:
    return await system_status(runtime.settings, runtime.db, runtime.jobs.pending_count)


async def _runs_for(request: Request, runtime: Runtime) -> list[JobRun]:
    """Job history is admin-only in the API too."""
    return await job_history.recent_runs(runtime.db) if viewer(request).is_admin else []


pages = [system_page]
fragments = [status_fragment, job_runs_fragment, backups_fragment]
