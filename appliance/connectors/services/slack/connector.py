"""Slack: a pasted bot token; messages in the channels the member invited the bot to, and their
threads' replies (threads.py), become searchable records, each channel by its newest message's
`ts` (`oldest` next time). A channel the bot can no longer read leaves Atom without stopping the
others (lost.py).

Within a channel, history comes newest first in pages; the page cursor and the newest `ts` seen
are saved after each page, so an interrupted run resumes at that page, and the channel's
`oldest` moves on only once its pages are all read.

Slack's history shows each message as it is now and leaves deleted ones out, so each run reads
a channel from `RECHECK` before now (or from `oldest`, if that is earlier), not only after
`oldest`: a message in that window whose text changed is written and indexed again (one that
did not is left alone), and one Atom holds that the window no longer has, or has as a tombstone,
leaves Atom and its search (a deleted parent's replies with it, unless a tombstone keeps its
thread). Edits and deletions of messages older than `RECHECK` are not followed. The missing are
only counted after a window read whole in one run (a run resumed at a page leaves that to the next).
"""

from __future__ import annotations

from typing import Any

from appliance.connectors.http import ServiceHttp
from appliance.connectors.oauth import AppClient
from appliance.connectors.services.slack import api, lost, messages, threads, window
from appliance.connectors.services.slack.threads import Reading
from appliance.connectors.session import SyncSession
from appliance.connectors.tokens import Grant

__all__ = ["RECHECK", "account", "sync", "revoke"]

RECHECK = window.RECHECK


async def account(http: ServiceHttp) -> str:
    found = await api.team(http)
    return found.team or found.url


async def sync(session: SyncSession) -> None:
    team = await api.team(session.http)
    channels = await api.member_channels(session.http)
    names = await api.user_names(session.http) if channels else {}
    for gone in lost.unlisted(session, channels):
        await lost.drop(session, gone)
    read = set[str]()
    for channel in channels:
        try:
            await _pull(Reading(session, team.url, channel, names))
        except api.ChannelLost:  # the bot was removed since the listing: the rest still sync
            await lost.drop(session, channel)
        else:
            read.add(channel.id)
    await lost.tell(session, read)


async def revoke(http: ServiceHttp, grant: Grant, client: AppClient | None) -> bool:
    return False  # the bot token is the household's app's, shared by whoever pastes it: Atom leaves it working


async def _pull(reading: Reading) -> None:
    session, channel = reading.session, reading.channel
    place: dict[str, Any] = dict((session.cursor.get("channels") or {}).get(channel.id) or {})
    start, page_cursor = place.get("from") or window.start(place.get("oldest")), place.get("page")
    whole, seen = page_cursor is None, set[str]()
    reading.threads = dict(place.get("threads") or {})
    while True:
        found = await api.history(session.http, channel.id, start, page_cursor)
        for message in found.messages:
            seen |= await _take(reading, message)
            place["newest"] = max(place.get("newest") or message.ts, message.ts, key=window.order)
        page_cursor = found.next_cursor if found.has_more else None
        if page_cursor is None:
            break
        await _save(reading, place | {"page": page_cursor, "from": start})
    if whole and start is not None:
        await _forget_missing(session, channel.id, start, seen)
        reading.threads = {ts: held for ts, held in reading.threads.items() if ts in seen}
    await _save(reading, {"oldest": place.get("newest") or place.get("oldest")})


async def _take(reading: Reading, message: api.Message) -> set[str]:
    """Write or forget what one history entry says; the `ts` of the message (or thread) it keeps."""
    session, channel = reading.session, reading.channel
    if message.subtype == "message_deleted" and message.deleted_ts:
        await session.forget(messages.remote_id(channel.id, message.deleted_ts))
        return set()
    current = message.message if message.subtype == "message_changed" and message.message else message
    if current.thread_parent or current.ts in reading.threads:
        await threads.follow(reading, current)
    alive = {current.ts} if current.thread_parent else set()  # a tombstone's thread stays
    if not messages.kept(current):  # a tombstone, a message emptied, a join: not (or no longer) kept
        await session.forget(messages.remote_id(channel.id, current.ts))
        return alive
    await session.upsert_record(messages.as_record(reading.team_url, channel, current, reading.names))
    return {current.ts}


async def _forget_missing(session: SyncSession, channel_id: str, start: str, seen: set[str]) -> None:
    """Messages Atom holds from the window just read that it no longer has (deleted at Slack),
    with their threads' replies."""
    prefix = messages.remote_id(channel_id, "")
    for remote_id in await session.remote_ids():
        ts = remote_id.removeprefix(prefix).split("/")[0]
        if remote_id.startswith(prefix) and ts not in seen and window.order(ts) > window.order(start):
            await session.forget(remote_id)


async def _save(reading: Reading, place: dict[str, Any]) -> None:
    """Keep where the channel was read to, with its name (a lost channel is named) and its threads."""
    channels = dict(reading.session.cursor.get("channels") or {})
    place |= {"name": reading.channel.name, "threads": reading.threads or None}
    channels[reading.channel.id] = {key: value for key, value in place.items() if value is not None}
    await reading.session.save_cursor(channels=channels)
