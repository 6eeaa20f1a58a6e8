"""GitHub: device sign-in; issues assigned to the member become their tasks, pulled by `since`.

The cursor is the newest `updated_at` seen; within a run it also holds the next page's
address, so an interrupted sync resumes at that page. GitHub's `since` includes its boundary,
so the last issue of a run comes again next time and changes nothing.
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.github import api, issues
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.viewer(http)


async def sync(session: SyncSession) -> None:
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


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    if client is None or not client.client_secret:
        return False  # GitHub revokes only with the app's secret; the member can at github.com/settings/applications
    return await api.revoke_grant(http, client.client_id, client.client_secret, grant.access_token)
