"""Slack: a pasted bot token; messages in the channels the member invited the bot to become
searchable records, each channel by its newest message's `ts` (`oldest` next time).

Within a channel, history comes newest first in pages; the page cursor and the newest `ts` seen
are saved after each page, so an interrupted run resumes at that page, and the channel's
`oldest` moves on only once its pages are all read. Edits and deletions of messages already
brought in are not followed (Slack's history reports only new messages after `oldest`).
"""

from __future__ import annotations

from typing import Any

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.slack import api, messages
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant


async def account(http: ServiceHttp) -> str:
    found = await api.team(http)
    return found.team or found.url


async def sync(session: SyncSession) -> None:
    team = await api.team(session.http)
    channels = await api.member_channels(session.http)
    names = await api.user_names(session.http) if channels else {}
    for channel in channels:
        await _pull(session, team.url, channel, names)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # the bot token is the household's app's, shared by whoever pastes it: Atom leaves it working


async def _pull(session: SyncSession, team_url: str, channel: api.Channel, names: dict[str, str]) -> None:
    place: dict[str, Any] = dict((session.cursor.get("channels") or {}).get(channel.id) or {})
    page_cursor = place.get("page")
    while True:
        found = await api.history(session.http, channel.id, place.get("oldest"), page_cursor)
        for message in found.messages:
            if messages.kept(message):
                await session.upsert_record(messages.as_record(team_url, channel, message, names))
            place["newest"] = max(place.get("newest") or message.ts, message.ts, key=float)
        page_cursor = found.next_cursor if found.has_more else None
        if page_cursor is None:
            break
        await _save(session, channel.id, place | {"page": page_cursor})
    await _save(session, channel.id, {"oldest": place.get("newest") or place.get("oldest")})


async def _save(session: SyncSession, channel_id: str, place: dict[str, Any]) -> None:
    channels = dict(session.cursor.get("channels") or {})
    channels[channel_id] = {key: value for key, value in place.items() if value is not None}
    await session.save_cursor(channels=channels)
