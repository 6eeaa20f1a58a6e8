"""Microsoft To Do and Outlook through Microsoft Graph: device sign-in (public client, no
secret); To Do tasks both ways and Outlook events read only, each by Graph's delta links.

First what the member ticked off in Atom is completed in To Do, then each list's changes
come in, then the calendar's. Every page's link is saved as it is written, so an interrupted
sync resumes at that page (writing an item twice changes nothing).
"""

from __future__ import annotations

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.microsoft import api, calendar, tasks
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    return await api.me(http)


async def sync(session: SyncSession) -> None:
    await tasks.send_completed(session)
    await tasks.pull(session)
    await calendar.pull(session)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    # Graph can only end every sign-in of the member (revokeSignInSessions), not Atom's alone:
    # the member removes Atom at https://account.live.com/consent/Manage or https://myapps.microsoft.com.
    return False
