"""Asana: a pasted personal access token; tasks assigned to the member in each of their
workspaces, both ways, by `modified_since`.

The first run brings the open tasks (`completed_since=now`); later runs ask each workspace for
what changed since the run before began (the cursor is that start, saved once every workspace
is done; within a run, each workspace's next page offset is saved as it goes, so an
interrupted run resumes at that page).

`modified_since` never lists a task deleted or assigned to someone else, so each run after the
first also lists the gids of the member's open tasks (compact records, usually a page per
workspace) and reads each task Atom holds open that is not among them, once: completed and still
theirs, its task is completed; deleted, out of their sight or assigned to anyone else (nobody
included), its task is removed from Atom, since it is no longer theirs to do. Asana's events API
is not used: it follows a task or a project, not "tasks assigned to me" (My Tasks spans
projects, and tasks in none), its sync tokens lapse after a day, and Asana itself advises a
polling fallback because events may be dropped.
"""

from __future__ import annotations

from appliance import clock
from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.asana import api, tasks
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    found = await api.me(http)
    return found.email or found.name or "Asana"


async def sync(session: SyncSession) -> None:
    for task_gid in await session.completed_here():
        if await api.complete(session.http, task_gid):
            await session.sent_done(task_gid)
    started = session.cursor.get("started") or clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    await session.save_cursor(started=started)
    me = await api.me(session.http)
    for workspace in me.workspaces:
        await _pull(session, workspace.gid)
    if session.cursor.get("since"):  # a first run's listing is of open tasks: it has nothing to miss
        await _reconcile(session, me)
    await session.save_cursor(since=started, started=None, pages=None)


async def _reconcile(session: SyncSession, me: api.Me) -> None:
    held = await session.open_tasks()
    if not held:
        return
    listed: set[str] = set()
    for workspace in me.workspaces:
        listed |= await api.open_task_gids(session.http, workspace.gid)
    for task_gid in sorted(held.keys() - listed):
        found = await api.read_task(session.http, task_gid)
        if found is None or found.assignee is None or found.assignee.gid != me.gid:
            await session.forget(task_gid)
        else:
            await session.upsert_task(tasks.as_task(found))


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # a personal access token is the member's; Asana has no call to retire one


async def _pull(session: SyncSession, workspace: str) -> None:
    pages: dict[str, str] = dict(session.cursor.get("pages") or {})
    if pages.get(workspace) == "done":
        return
    query = api.first_page(workspace, session.cursor.get("since"))
    if pages.get(workspace):
        query["offset"] = pages[workspace]
    while True:
        page = await api.task_page(session.http, query)
        for task in page.data:
            await session.upsert_task(tasks.as_task(task))
        pages[workspace] = page.next_page.offset if page.next_page else "done"
        await session.save_cursor(pages=pages)
        if page.next_page is None:
            return
        query["offset"] = page.next_page.offset
