"""The control API: for Atom's own processes (worker, CLI) holding the service token.

The CLI falls back to these routes when the server already owns the database.
"""

from __future__ import annotations

import asyncio

from litestar import Router, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from appliance.accounts import members, tokens, users
from appliance.accounts.shapes import ApiTokenForMember, NewApiToken, User, UserCreate
from appliance.events import EVERYONE, Event
from appliance.knowledge import IndexReport, check_index, reindex
from appliance.server.auth import CONTROL_PREFIX, service_only
from appliance.server.deps import BusDep, DatabaseDep, PrincipalDep, RuntimeDep
from appliance.system import jobs as job_history
from appliance.system.backup import BackupFile
from appliance.system.shapes import BackupOrder, Heartbeat, Housekeeping, JobRun, JobRunReport

__all__ = ["routes"]


@post("/housekeeping", status_code=HTTP_200_OK)
async def housekeeping(runtime: RuntimeDep) -> Housekeeping:
    runtime.throttle.prune()
    return await job_history.housekeep(runtime.db, runtime.settings.jobs.history_days)


@post("/heartbeat", status_code=HTTP_200_OK)
async def heartbeat(db: DatabaseDep, data: JSONBody[Heartbeat]) -> None:
    await job_history.record_heartbeat(db, data.worker)


@post("/job-runs", status_code=HTTP_200_OK)
async def job_run(db: DatabaseDep, bus: BusDep, data: JSONBody[JobRunReport]) -> None:
    if not await job_history.record_report(db, data):
        return
    bus.publish(Event(topic="jobs", action="updated", id=data.id), [EVERYONE])  # no data: pages refetch


@post("/backups", status_code=HTTP_201_CREATED)
async def backup(runtime: RuntimeDep, data: JSONBody[BackupOrder]) -> BackupFile:
    """The scheduled job's backup, and `atom backup` while the server owns the database."""
    return await asyncio.to_thread(runtime.backups.run, data)


@get("/jobs/running")
async def running_jobs(db: DatabaseDep) -> list[JobRun]:
    """What `atom upgrade` asks before it stops anything: jobs the worker is running now."""
    return await job_history.running_runs(db)


@get("/users")
async def list_users(db: DatabaseDep) -> list[User]:
    return await users.list_users(db)


@post("/users", status_code=HTTP_201_CREATED)
async def add_user(db: DatabaseDep, bus: BusDep, data: JSONBody[UserCreate]) -> User:
    return await members.add_member(db, bus, data)


@post("/users/{username:str}/disable", status_code=HTTP_200_OK)
async def disable_user(db: DatabaseDep, bus: BusDep, principal: PrincipalDep, username: FromPath[str]) -> User:
    return await members.disable_member(db, bus, principal, username)


@post("/tokens", status_code=HTTP_201_CREATED)
async def create_token(db: DatabaseDep, data: JSONBody[ApiTokenForMember]) -> NewApiToken:
    user = await users.find_user(db, data.username)
    return await tokens.create_token(db, user.id, data.name)


@post("/knowledge/reindex", status_code=HTTP_200_OK)
async def knowledge_reindex(runtime: RuntimeDep) -> dict[str, int]:
    """Rebuild the search index; search by meaning catches up in the background."""
    return {"records": await reindex(runtime.db, runtime.knowledge)}


@get("/knowledge/check")
async def knowledge_check(runtime: RuntimeDep) -> IndexReport:
    return await check_index(runtime.db, runtime.knowledge)


routes = [
    Router(
        CONTROL_PREFIX,
        route_handlers=[
            housekeeping,
            heartbeat,
            job_run,
            running_jobs,
            list_users,
            add_user,
            disable_user,
            create_token,
            knowledge_reindex,
            knowledge_check,
            backup,
        ],
        guards=[service_only],
        tags=["control"],
    )
]
