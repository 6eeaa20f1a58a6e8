"""GitHub: device sign-in; issues assigned to the member become their tasks, pulled by `since`.

The cursor is the newest `updated_at` seen; within a run it also holds the next page's
address, so an interrupted sync resumes at that page. GitHub's `since` includes its boundary,
so the last issue of a run comes again next time and changes nothing.

An issue assigned to someone else, deleted or transferred away drops out of the member's
assigned list, so `since` never shows it again. After the changes, each run after the first
lists the open issues assigned to the member (ids only matter; usually one page) and reads each
task Atom holds open that the list no longer has, once: closed and still theirs, its task is
completed; anything else (reassigned, deleted, transferred) and the task is removed. Its task
is settled by that read, so it is not read again.
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.github import api, issues
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

rate_limited = api.rate_limited  # GitHub's own "slow down" answers (403 with its rate headers)


async def account(http: ServiceHttp) -> str:
    return await api.viewer(http)


async def sync(session: SyncSession) -> None:
    reconcile = session.cursor.get("since") is not None  # a first run's full listing has nothing to miss
    await _pull(session)
    if reconcile:
        await _reconcile(session)


async def _pull(session: SyncSession) -> None:
    since, newest = session.cursor.get("since"), session.cursor.get("newest")
    where: str | None = session.cursor.get("next") or api.first_page(since)
    while where:
        page = await api.assigned_issues(session.http, where)
        for issue in page.issues:
            await session.upsert_task(issues.as_task(issue))
            stamp = issue.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            newest = max(newest or stamp, stamp)
        where = page.next
        await session.save_cursor(next=where, newest=newest)
    await session.save_cursor(since=newest or since, next=None, newest=None)


async def _reconcile(session: SyncSession) -> None:
    held = await session.open_tasks()
    if not held:
        return
    missing = held.keys() - await api.open_assigned_ids(session.http)
    login = (session.account or await api.viewer(session.http)) if missing else ""
    for remote_id in sorted(missing):
        found = await api.read_issue(session.http, held[remote_id])
        if found is None:
            continue  # GitHub would not say: left as it is
        if isinstance(found, api.Gone) or not found.assigned_to(login):
            await session.forget(remote_id)
        else:
            await session.upsert_task(issues.as_task(found))


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    if client is None or not client.client_secret:
        return False  # GitHub revokes only with the app's secret; the member can at github.com/settings/applications
    return await api.revoke_grant(http, client.client_id, client.client_secret, grant.access_token)
