"""Slack: a pasted bot token; messages in the channels the member invited the bot to become
searchable records, each channel by its newest message's `ts` (`oldest` next time).

Within a channel, history comes newest first in pages; the page cursor and the newest `ts` seen
are saved after each page, so an interrupted run resumes at that page, and the channel's
`oldest` moves on only once its pages are all read.

Slack's history shows each message as it is now and leaves deleted ones out, so each run reads
a channel from `RECHECK` before now (or from `oldest`, if that is earlier), not only after
`oldest`: a message in that window whose text changed is written and indexed again (one that
did not is left alone), and one Atom holds that the window no longer has, or has as a tombstone,
leaves Atom and its search. Edits and deletions of messages older than `RECHECK` are not
followed. The missing are only counted after a window read whole in one run (a run resumed at a
page leaves that to the next).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from appliance import clock
from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.slack import api, messages
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

# How long after it was posted a message's edits and deletion are followed: each run reads this
# much of every channel again (a household channel's week is a page or two of 100 messages).
RECHECK = timedelta(days=7)


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
    start, page_cursor = place.get("from") or _window_start(place.get("oldest")), place.get("page")
    whole, seen = page_cursor is None, set[str]()
    while True:
        found = await api.history(session.http, channel.id, start, page_cursor)
        for message in found.messages:
            seen |= await _take(session, team_url, channel, message, names)
            place["newest"] = max(place.get("newest") or message.ts, message.ts, key=_order)
        page_cursor = found.next_cursor if found.has_more else None
        if page_cursor is None:
            break
        await _save(session, channel.id, place | {"page": page_cursor, "from": start})
    if whole and start is not None:
        await _forget_missing(session, channel.id, start, seen)
    await _save(session, channel.id, {"oldest": place.get("newest") or place.get("oldest")})


async def _take(
    session: SyncSession, team_url: str, channel: api.Channel, message: api.Message, names: dict[str, str]
) -> set[str]:
    """Write or forget what one history entry says; the `ts` of the message it keeps, if any."""
    if message.subtype == "message_deleted" and message.deleted_ts:
        await session.forget(messages.remote_id(channel.id, message.deleted_ts))
        return set()
    current = message.message if message.subtype == "message_changed" and message.message else message
    if not messages.kept(current):  # a tombstone, a message emptied, a join: not (or no longer) kept
        await session.forget(messages.remote_id(channel.id, current.ts))
        return set()
    await session.upsert_record(messages.as_record(team_url, channel, current, names))
    return {current.ts}


async def _forget_missing(session: SyncSession, channel_id: str, start: str, seen: set[str]) -> None:
    """Messages Atom holds from the window just read that it no longer has: deleted at Slack."""
    prefix = messages.remote_id(channel_id, "")
    for remote_id in await session.remote_ids():
        ts = remote_id.removeprefix(prefix)
        if remote_id.startswith(prefix) and ts not in seen and _order(ts) > _order(start):
            await session.forget(remote_id)


def _window_start(oldest: str | None) -> str | None:
    """Where this run reads a channel from: `RECHECK` ago, or `oldest` when that is earlier; None
    (everything) the first time."""
    if oldest is None:
        return None
    recheck = f"{(clock.now().replace(tzinfo=UTC) - RECHECK).timestamp():.6f}"
    return min(oldest, recheck, key=_order)


def _order(ts: str) -> Decimal:
    """A `ts` as Slack orders them (exactly: a float would round its microseconds)."""
    try:
        found = Decimal(ts)
    except InvalidOperation:
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


async def _save(session: SyncSession, channel_id: str, place: dict[str, Any]) -> None:
    channels = dict(session.cursor.get("channels") or {})
    channels[channel_id] = {key: value for key, value in place.items() if value is not None}
    await session.save_cursor(channels=channels)
