"""Thread replies: Slack's history lists a thread's parent (`reply_count`, `latest_reply`) but
not its replies, which only `conversations.replies` gives, one Tier 3 call per thread page. So a
thread is read only when its `latest_reply` or `reply_count` differs from what Atom read last (a
reply came or went; or the parent, which each reply quotes, was edited or deleted), and then
only its replies after `RECHECK` ago (or after the latest reply Atom holds, if earlier): one
Atom holds from then that the thread no longer has leaves Atom and its search. An edited reply
does not show on the parent, so a thread with a reply in the last `RECHECK` is also read again,
at most once an hour (`EDITS_EVERY`). A parent deleted with its thread takes its replies along.

Threads are found through their parents in the history Atom reads (new messages and the last
week): a reply to a thread whose parent is older than that is not seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from appliance.connectors.services.slack import api, messages, window
from appliance.connectors.session import SyncSession

__all__ = ["EDITS_EVERY", "Reading", "follow"]

EDITS_EVERY = timedelta(hours=1)  # how often a thread with a reply in the last week is read for edits


@dataclass
class Reading:
    """One channel being read: where its records go, and its threads as last read whole."""

    session: SyncSession
    team_url: str
    channel: api.Channel
    names: dict[str, str]
    threads: dict[str, Any] = field(default_factory=dict)  # parent ts: {"seen": _shown(parent), "read": ts}


async def follow(reading: Reading, parent: api.Message) -> None:
    """Bring the thread under `parent` up to date, if it may have changed."""
    held = reading.threads.pop(parent.ts, None)
    if not parent.thread_parent:  # its last reply was deleted: the thread is no more
        await _forget_missing(reading, parent.ts, None, set())
        return
    if held and not _due(held, parent):
        reading.threads[parent.ts] = held
        return
    oldest = window.start(held["seen"][0]) if held else None
    try:
        seen = await _read(reading, parent, oldest)
    except api.ThreadGone:  # deleted since the history was read: the next history says so
        return
    await _forget_missing(reading, parent.ts, oldest, seen)
    reading.threads[parent.ts] = {"seen": _shown(parent), "read": window.now_ts()}


async def _read(reading: Reading, parent: api.Message, oldest: str | None) -> set[str]:
    """Write the thread's replies after `oldest`, page by page; the `ts` of those it keeps."""
    seen, cursor = set[str](), None
    while True:
        page = await api.replies(reading.session.http, reading.channel.id, parent.ts, oldest, cursor)
        for reply in page.messages:
            seen |= await _take(reading, parent, reply)
        cursor = page.next_cursor if page.has_more else None
        if cursor is None:
            return seen


def _shown(parent: api.Message) -> list[Any]:
    """What the parent shows of its thread: its latest reply and count, and its own version."""
    version = parent.subtype or (parent.edited.ts if parent.edited else "")
    return [parent.latest_reply, parent.reply_count, version]


def _due(held: dict[str, Any], parent: api.Message) -> bool:
    """A reply came or went, the parent changed, or one of the last week's replies may have been
    edited since the last read."""
    if held.get("seen") != _shown(parent):
        return True
    last_read = str(held.get("read") or "0")
    return window.recent(parent.latest_reply or "0") and window.order(last_read) <= window.order(
        window.ago(EDITS_EVERY)
    )


async def _take(reading: Reading, parent: api.Message, reply: api.Message) -> set[str]:
    """Write or forget one reply; the `ts` of the reply it keeps, if any. The parent (listed
    first) and replies also sent to the channel are the history's."""
    if reply.ts == parent.ts or reply.subtype == "thread_broadcast":
        return set()
    if not messages.kept(reply):
        await reading.session.forget(messages.reply_id(reading.channel.id, parent.ts, reply.ts))
        return set()
    record = messages.as_reply(reading.team_url, reading.channel, parent, reply, reading.names)
    await reading.session.upsert_record(record)
    return {reply.ts}


async def _forget_missing(reading: Reading, parent_ts: str, oldest: str | None, seen: set[str]) -> None:
    prefix = messages.reply_id(reading.channel.id, parent_ts, "")
    for remote_id in await reading.session.remote_ids():
        ts = remote_id.removeprefix(prefix)
        if (
            remote_id.startswith(prefix)
            and ts not in seen
            and (oldest is None or window.order(ts) > window.order(oldest))
        ):
            await reading.session.forget(remote_id)
